-- +goose Up
-- Every event row pays for each index on insert. Purging by age can use
-- event_kind_at (kind IN (...) AND at < ?), so event_at only cost writes.
DROP INDEX event_at;

-- +goose Down
CREATE INDEX event_at ON event (at);
