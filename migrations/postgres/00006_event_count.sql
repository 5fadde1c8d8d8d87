-- +goose Up
-- Portable: the same statement as ../00006_event_count.sql.
ALTER TABLE event ADD COLUMN n BIGINT NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE event DROP COLUMN n;
