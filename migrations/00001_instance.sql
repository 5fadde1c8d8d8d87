-- +goose Up
-- instance holds per-installation values that must survive restarts, such
-- as the key that signs staff sessions.
CREATE TABLE instance (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- +goose Down
DROP TABLE instance;
