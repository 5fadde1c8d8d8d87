-- +goose Up
-- PostgreSQL's twin of ../00007_check_events.sql: PostgreSQL changes the
-- kind's CHECK constraint in place, with no rebuild of the table.
ALTER TABLE event DROP CONSTRAINT event_kind_check;
ALTER TABLE event ADD CONSTRAINT event_kind_check
    CHECK (kind IN ('view', 'search', 'diagnosis', 'vote', 'ticket', 'check'));

-- +goose Down
DELETE FROM event WHERE kind = 'check';
ALTER TABLE event DROP CONSTRAINT event_kind_check;
ALTER TABLE event ADD CONSTRAINT event_kind_check
    CHECK (kind IN ('view', 'search', 'diagnosis', 'vote', 'ticket'));
