-- +goose Up
-- staff are the people who may sign in to the back office. password_hash is
-- an argon2id PHC string; the password itself is never stored.
CREATE TABLE staff (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL -- Unix seconds, UTC
) STRICT;

-- staff_session is one sign-in. Only the SHA-256 of the cookie's token is
-- kept, so a copy of the database does not let anyone sign in.
CREATE TABLE staff_session (
    token_hash BLOB    PRIMARY KEY,
    staff_id   INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

CREATE INDEX staff_session_expires_at ON staff_session (expires_at);

-- api_token lets scripts call the API as a staff member. As with sessions,
-- only the token's SHA-256 is kept; revoked tokens stay listed.
CREATE TABLE api_token (
    id         INTEGER PRIMARY KEY,
    staff_id   INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    token_hash BLOB    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;

-- +goose Down
DROP TABLE api_token;
DROP TABLE staff_session;
DROP TABLE staff;
