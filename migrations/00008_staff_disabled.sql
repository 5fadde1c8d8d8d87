-- +goose Up
-- disabled_at marks an account that may no longer sign in (rebote staff
-- disable); its sessions and API tokens were ended when it was set.
ALTER TABLE staff ADD COLUMN disabled_at INTEGER;

-- +goose Down
ALTER TABLE staff DROP COLUMN disabled_at;
