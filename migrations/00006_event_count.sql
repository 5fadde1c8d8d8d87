-- +goose Up
-- Identical events in the same second (the same article read from the same
-- kind of link, the same search) share one row with their number in n: a
-- busy page then costs the writer one row a second, not one per visit.
ALTER TABLE event ADD COLUMN n INTEGER NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE event DROP COLUMN n;
