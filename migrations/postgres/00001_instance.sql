-- +goose Up
-- PostgreSQL's twin of ../00001_instance.sql: per-installation values,
-- shared by every instance that uses the database.
CREATE TABLE instance (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
DROP TABLE instance;
