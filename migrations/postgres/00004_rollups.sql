-- +goose Up
-- PostgreSQL's twin of ../00004_rollups.sql.
CREATE TABLE daily_total (
    day    TEXT   NOT NULL COLLATE "C",
    metric TEXT   NOT NULL COLLATE "C",
    source TEXT   NOT NULL COLLATE "C",
    n      BIGINT NOT NULL DEFAULT 0,
    yes    BIGINT NOT NULL DEFAULT 0,
    no     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, metric, source)
);

INSERT INTO daily_total (day, metric, source, n, yes, no)
SELECT day, metric, source, SUM(n), SUM(yes), SUM(no) FROM daily GROUP BY day, metric, source;

CREATE TABLE monthly (
    month  TEXT   NOT NULL COLLATE "C",
    metric TEXT   NOT NULL COLLATE "C",
    source TEXT   NOT NULL COLLATE "C",
    key    TEXT   NOT NULL COLLATE "C",
    n      BIGINT NOT NULL DEFAULT 0,
    yes    BIGINT NOT NULL DEFAULT 0,
    no     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (metric, month, source, key)
);

INSERT INTO monthly (month, metric, source, key, n, yes, no)
SELECT substr(day, 1, 7), metric, source, key, SUM(n), SUM(yes), SUM(no) FROM daily
GROUP BY substr(day, 1, 7), metric, source, key;

CREATE INDEX daily_metric_key ON daily (metric, key, day, source, n);

-- +goose Down
DROP INDEX daily_metric_key;
DROP TABLE monthly;
DROP TABLE daily_total;
