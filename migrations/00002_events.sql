-- +goose Up
-- event is one thing a visitor did. It holds no personal data: no pasted
-- text, addresses, IPs or user agents (see /privacidad). Rows older than
-- the retention period are purged; daily keeps the counts.
CREATE TABLE event (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,            -- Unix seconds, UTC
    kind       TEXT    NOT NULL CHECK (kind IN ('view', 'search', 'diagnosis', 'vote', 'ticket')),
    source     TEXT    NOT NULL CHECK (source IN ('ticket', 'search', 'home', 'external', 'direct')),
    article    TEXT    NOT NULL DEFAULT '', -- slug read, voted on or asked about
    reasons    TEXT    NOT NULL DEFAULT '', -- space-separated, one per recipient
    articles   TEXT    NOT NULL DEFAULT '', -- space-separated, one per recipient
    query      TEXT    NOT NULL DEFAULT '', -- normalised search
    results    INTEGER NOT NULL DEFAULT 0,
    bounce     INTEGER NOT NULL DEFAULT 0,
    recipients INTEGER NOT NULL DEFAULT 0,
    confidence REAL    NOT NULL DEFAULT 0,
    line       TEXT    NOT NULL DEFAULT '', -- masked SMTP line of a failed diagnosis
    helpful    INTEGER,                     -- vote: 1 yes, 0 no
    comment    TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX event_at ON event (at);
CREATE INDEX event_kind_at ON event (kind, at);

-- daily holds the counts the dashboard reads, kept up to date in the same
-- transaction as the events, so its pages never scan the event table.
-- metric is one of:
--   error         key = reason TAB article (diagnosed recipients and article views)
--   view          key = article
--   search        key = query
--   failed_search key = query (searches with no result)
--   unclassified  key = masked line
--   diagnosis     key = '' (n = diagnoses, yes = bounces read)
--   vote          key = article, or 'diagnostico:' || reason (yes/no)
--   ticket        key = article, or 'diagnostico:' || reason
CREATE TABLE daily (
    day    TEXT    NOT NULL, -- YYYY-MM-DD, UTC
    metric TEXT    NOT NULL,
    source TEXT    NOT NULL,
    key    TEXT    NOT NULL,
    n      INTEGER NOT NULL DEFAULT 0,
    yes    INTEGER NOT NULL DEFAULT 0,
    no     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (metric, day, source, key)
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE daily;
DROP TABLE event;
