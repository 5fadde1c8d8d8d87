-- +goose Up
-- Live DNS checks (/comprobar) are counted as events of kind 'check': the
-- kind's CHECK constraint must allow it, and SQLite can only change a
-- constraint by rebuilding the table. What was checked (a domain, an IP)
-- is never stored: reasons holds only the outcome classes
-- ("mx:ok spf:fallo"), article what kind of check ran (domain, recipient,
-- ip). The daily rollups count them as metrics check and check_outcome.
CREATE TABLE event_new (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('view', 'search', 'diagnosis', 'vote', 'ticket', 'check')),
    source     TEXT    NOT NULL CHECK (source IN ('ticket', 'search', 'home', 'external', 'direct')),
    article    TEXT    NOT NULL DEFAULT '',
    reasons    TEXT    NOT NULL DEFAULT '',
    articles   TEXT    NOT NULL DEFAULT '',
    query      TEXT    NOT NULL DEFAULT '',
    results    INTEGER NOT NULL DEFAULT 0,
    bounce     INTEGER NOT NULL DEFAULT 0,
    recipients INTEGER NOT NULL DEFAULT 0,
    confidence REAL    NOT NULL DEFAULT 0,
    line       TEXT    NOT NULL DEFAULT '',
    helpful    INTEGER,
    comment    TEXT    NOT NULL DEFAULT '',
    n          INTEGER NOT NULL DEFAULT 1
) STRICT;

INSERT INTO event_new (id, at, kind, source, article, reasons, articles, query, results, bounce, recipients, confidence, line, helpful, comment, n)
SELECT id, at, kind, source, article, reasons, articles, query, results, bounce, recipients, confidence, line, helpful, comment, n FROM event;

DROP TABLE event;
ALTER TABLE event_new RENAME TO event;
CREATE INDEX event_kind_at ON event (kind, at);

-- +goose Down
DELETE FROM event WHERE kind = 'check';
CREATE TABLE event_old (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('view', 'search', 'diagnosis', 'vote', 'ticket')),
    source     TEXT    NOT NULL CHECK (source IN ('ticket', 'search', 'home', 'external', 'direct')),
    article    TEXT    NOT NULL DEFAULT '',
    reasons    TEXT    NOT NULL DEFAULT '',
    articles   TEXT    NOT NULL DEFAULT '',
    query      TEXT    NOT NULL DEFAULT '',
    results    INTEGER NOT NULL DEFAULT 0,
    bounce     INTEGER NOT NULL DEFAULT 0,
    recipients INTEGER NOT NULL DEFAULT 0,
    confidence REAL    NOT NULL DEFAULT 0,
    line       TEXT    NOT NULL DEFAULT '',
    helpful    INTEGER,
    comment    TEXT    NOT NULL DEFAULT '',
    n          INTEGER NOT NULL DEFAULT 1
) STRICT;
INSERT INTO event_old SELECT * FROM event;
DROP TABLE event;
ALTER TABLE event_old RENAME TO event;
CREATE INDEX event_kind_at ON event (kind, at);
