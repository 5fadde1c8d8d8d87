-- +goose Up
-- PostgreSQL's twin of ../00005_event_index.sql.
DROP INDEX event_at;

-- +goose Down
CREATE INDEX event_at ON event (at);
