-- +goose Up
-- Rollups so the dashboard answers fast over long periods: daily_total
-- sums each day per metric (the headline figures), monthly sums each month
-- per key (top lists over whole months; the partial months at a period's
-- ends still come from daily). SaveEvents keeps all three in step.
CREATE TABLE daily_total (
    day    TEXT    NOT NULL,
    metric TEXT    NOT NULL,
    source TEXT    NOT NULL,
    n      INTEGER NOT NULL DEFAULT 0,
    yes    INTEGER NOT NULL DEFAULT 0,
    no     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, metric, source)
) STRICT, WITHOUT ROWID;

INSERT INTO daily_total (day, metric, source, n, yes, no)
SELECT day, metric, source, SUM(n), SUM(yes), SUM(no) FROM daily GROUP BY day, metric, source;

CREATE TABLE monthly (
    month  TEXT    NOT NULL, -- YYYY-MM, UTC
    metric TEXT    NOT NULL,
    source TEXT    NOT NULL,
    key    TEXT    NOT NULL,
    n      INTEGER NOT NULL DEFAULT 0,
    yes    INTEGER NOT NULL DEFAULT 0,
    no     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (metric, month, source, key)
) STRICT, WITHOUT ROWID;

INSERT INTO monthly (month, metric, source, key, n, yes, no)
SELECT substr(day, 1, 7), metric, source, key, SUM(n), SUM(yes), SUM(no) FROM daily
GROUP BY substr(day, 1, 7), metric, source, key;

-- One error's trend reads a key range instead of the whole metric.
CREATE INDEX daily_metric_key ON daily (metric, key, day, source, n);

-- +goose Down
DROP INDEX daily_metric_key;
DROP TABLE monthly;
DROP TABLE daily_total;
