-- +goose Up
-- PostgreSQL's twin of ../00008_staff_disabled.sql.
ALTER TABLE staff ADD COLUMN disabled_at BIGINT;

-- +goose Down
ALTER TABLE staff DROP COLUMN disabled_at;
