"""Versioned schema migrations of the embedded store. Append a new version; never edit a released one."""

from __future__ import annotations

import sqlite3

# version 3's rollup deltas of one mention_brands row (`new` added, `old` removed), part of that version's text: do
# not edit. Rows count once their care columns are copied (is_owned is NULL only inside the statement inserting
# the row: mention_brands_care_ai fills it at once), so a fresh row costs one update delta, not an insert and an
# update. Topics count once per mention.
_V3_ADD = """
    INSERT INTO brand_hours SELECT new.brand, new.published_at / 3600000, new.is_owned, coalesce(new.sentiment, ''),
        coalesce(new.intent, ''), 1 WHERE new.is_owned IS NOT NULL ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO brand_topic_hours SELECT DISTINCT new.brand, new.published_at / 3600000, new.is_owned, value, 1
        FROM json_each(new.topics) WHERE new.is_owned IS NOT NULL ON CONFLICT DO UPDATE SET n = n + 1;"""
_V3_OLD_HOUR = "brand = old.brand AND hour = old.published_at / 3600000 AND is_owned = old.is_owned"
_V3_OLD_KEY = f"{_V3_OLD_HOUR} AND sentiment = coalesce(old.sentiment, '') AND intent = coalesce(old.intent, '')"
_V3_OLD_TOPICS = f"{_V3_OLD_HOUR} AND topic IN (SELECT value FROM json_each(old.topics))"
_V3_REMOVE = f"""
    UPDATE brand_hours SET n = n - 1 WHERE {_V3_OLD_KEY};
    DELETE FROM brand_hours WHERE {_V3_OLD_KEY} AND n <= 0;
    UPDATE brand_topic_hours SET n = n - 1 WHERE {_V3_OLD_TOPICS};
    DELETE FROM brand_topic_hours WHERE {_V3_OLD_TOPICS} AND n <= 0;"""

MIGRATIONS: list[tuple[int, list[str]]] = [
    (1, [
        """CREATE TABLE mentions (
            rowid INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            source TEXT NOT NULL, platform TEXT NOT NULL, platform_id TEXT, url TEXT,
            author TEXT, author_reach INTEGER, title TEXT, text TEXT NOT NULL, lang TEXT,
            published_at INTEGER NOT NULL, fetched_at INTEGER NOT NULL,  -- epoch milliseconds, UTC
            is_owned INTEGER NOT NULL DEFAULT 0, in_reply_to TEXT, thread_id TEXT,
            content_hash TEXT NOT NULL DEFAULT '', first_reply_at INTEGER,
            sentiment TEXT, sentiment_score REAL, intent TEXT, complaint_score REAL,
            brands TEXT NOT NULL DEFAULT '[]', topics TEXT NOT NULL DEFAULT '[]',
            engagement TEXT NOT NULL DEFAULT '{}', copies TEXT NOT NULL DEFAULT '[]'
        )""",
        "CREATE INDEX mentions_published ON mentions(published_at)",
        "CREATE INDEX mentions_hash ON mentions(content_hash)",
        "CREATE INDEX mentions_reply ON mentions(in_reply_to) WHERE in_reply_to IS NOT NULL",
        # multi-valued facets get side tables so that filters and counts use indexes
        """CREATE TABLE mention_brands (
            mention_rowid INTEGER NOT NULL REFERENCES mentions(rowid) ON DELETE CASCADE,
            brand TEXT NOT NULL, published_at INTEGER NOT NULL,
            PRIMARY KEY (brand, published_at, mention_rowid)
        ) WITHOUT ROWID""",
        "CREATE INDEX mention_brands_rowid ON mention_brands(mention_rowid)",
        """CREATE TABLE mention_topics (
            mention_rowid INTEGER NOT NULL REFERENCES mentions(rowid) ON DELETE CASCADE,
            topic TEXT NOT NULL,
            PRIMARY KEY (topic, mention_rowid)
        ) WITHOUT ROWID""",
        "CREATE INDEX mention_topics_rowid ON mention_topics(mention_rowid)",
        """CREATE VIRTUAL TABLE mentions_fts USING fts5(
            title, text, content='mentions', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
        )""",
        """CREATE TRIGGER mentions_ai AFTER INSERT ON mentions BEGIN
            INSERT INTO mentions_fts(rowid, title, text) VALUES (new.rowid, coalesce(new.title, ''), new.text);
        END""",
        """CREATE TRIGGER mentions_ad AFTER DELETE ON mentions BEGIN
            INSERT INTO mentions_fts(mentions_fts, rowid, title, text)
            VALUES ('delete', old.rowid, coalesce(old.title, ''), old.text);
        END""",
        """CREATE TRIGGER mentions_au AFTER UPDATE OF title, text ON mentions BEGIN
            INSERT INTO mentions_fts(mentions_fts, rowid, title, text)
            VALUES ('delete', old.rowid, coalesce(old.title, ''), old.text);
            INSERT INTO mentions_fts(rowid, title, text) VALUES (new.rowid, coalesce(new.title, ''), new.text);
        END""",
        """CREATE TABLE alerts (
            id TEXT PRIMARY KEY, rule TEXT NOT NULL, brand TEXT, status TEXT NOT NULL,
            opened_at INTEGER NOT NULL, data TEXT NOT NULL
        )""",
        "CREATE INDEX alerts_opened ON alerts(opened_at)",
    ]),
    # 2: the care columns copied beside each (brand, published_at) so that a brand's overview and care metrics
    # are one index-range scan (a million mentions: milliseconds, not a random row lookup per mention).
    # Triggers keep the copies equal to the mentions row; `first_reply_at` changes when a reply is linked.
    (2, [
        "ALTER TABLE mention_brands ADD COLUMN is_owned INTEGER",
        "ALTER TABLE mention_brands ADD COLUMN sentiment TEXT",
        "ALTER TABLE mention_brands ADD COLUMN intent TEXT",
        "ALTER TABLE mention_brands ADD COLUMN first_reply_at INTEGER",
        "ALTER TABLE mention_brands ADD COLUMN topics TEXT",
        """UPDATE mention_brands SET (is_owned, sentiment, intent, first_reply_at, topics) = (
            SELECT m.is_owned, m.sentiment, m.intent, m.first_reply_at, m.topics FROM mentions m
            WHERE m.rowid = mention_brands.mention_rowid)""",
        """CREATE TRIGGER mention_brands_care_ai AFTER INSERT ON mention_brands BEGIN
            UPDATE mention_brands SET (is_owned, sentiment, intent, first_reply_at, topics) = (
                SELECT m.is_owned, m.sentiment, m.intent, m.first_reply_at, m.topics FROM mentions m
                WHERE m.rowid = new.mention_rowid)
            WHERE brand = new.brand AND published_at = new.published_at AND mention_rowid = new.mention_rowid;
        END""",
        """CREATE TRIGGER mentions_care_au AFTER UPDATE OF is_owned, sentiment, intent, first_reply_at, topics
        ON mentions BEGIN
            UPDATE mention_brands SET is_owned = new.is_owned, sentiment = new.sentiment, intent = new.intent,
                first_reply_at = new.first_reply_at, topics = new.topics
            WHERE mention_rowid = new.rowid;
        END""",
    ]),
    # 3: hourly rollups of mention_brands (per brand, hour, is_owned, sentiment, intent; and per topic) so that a
    # month's overview, share of voice and previous period read a few thousand rollup rows instead of every
    # mention; the partial edges of a window are read from mention_brands. Triggers keep them exact. A partial
    # covering index serves the reply delays and unanswered complaints without touching the other mentions.
    (3, [
        """CREATE TABLE brand_hours (
            brand TEXT NOT NULL, hour INTEGER NOT NULL,  -- published_at / 3600000
            is_owned INTEGER NOT NULL,
            sentiment TEXT NOT NULL, intent TEXT NOT NULL,  -- '' = not analysed
            n INTEGER NOT NULL,
            PRIMARY KEY (brand, hour, is_owned, sentiment, intent)
        ) WITHOUT ROWID""",
        """CREATE TABLE brand_topic_hours (
            brand TEXT NOT NULL, hour INTEGER NOT NULL, is_owned INTEGER NOT NULL, topic TEXT NOT NULL,
            n INTEGER NOT NULL,  -- distinct mentions
            PRIMARY KEY (brand, hour, is_owned, topic)
        ) WITHOUT ROWID""",
        """INSERT INTO brand_hours SELECT brand, published_at / 3600000, is_owned, coalesce(sentiment, ''),
            coalesce(intent, ''), count(*) FROM mention_brands WHERE is_owned IS NOT NULL GROUP BY 1, 2, 3, 4, 5""",
        """INSERT INTO brand_topic_hours SELECT b.brand, b.published_at / 3600000, b.is_owned, j.value,
            count(DISTINCT b.mention_rowid) FROM mention_brands b, json_each(b.topics) j
            WHERE b.is_owned IS NOT NULL GROUP BY 1, 2, 3, 4""",
        f"""CREATE TRIGGER mention_brands_hours_ai AFTER INSERT ON mention_brands WHEN new.is_owned IS NOT NULL
        BEGIN
            {_V3_ADD}
        END""",
        f"""CREATE TRIGGER mention_brands_hours_ad AFTER DELETE ON mention_brands WHEN old.is_owned IS NOT NULL
        BEGIN
            {_V3_REMOVE}
        END""",
        f"""CREATE TRIGGER mention_brands_hours_au AFTER UPDATE ON mention_brands
        WHEN old.brand IS NOT new.brand OR old.published_at / 3600000 IS NOT new.published_at / 3600000
            OR old.is_owned IS NOT new.is_owned OR old.sentiment IS NOT new.sentiment
            OR old.intent IS NOT new.intent OR old.topics IS NOT new.topics
        BEGIN
            {_V3_REMOVE}
            {_V3_ADD}
        END""",
        """CREATE INDEX mention_brands_care ON mention_brands(brand, published_at, first_reply_at, intent, is_owned)
            WHERE is_owned = 0 AND (first_reply_at IS NOT NULL OR intent = 'complaint')""",
    ]),
    # 4: thread lookups of ingest (ingest/threads.py): a reference by URL, and the replies of a parent that arrived
    # after them (in_reply_to has its index since version 1)
    (4, [
        "CREATE INDEX IF NOT EXISTS mentions_url ON mentions(url) WHERE url IS NOT NULL",
        "CREATE INDEX IF NOT EXISTS mentions_thread ON mentions(thread_id) WHERE thread_id IS NOT NULL",
    ]),
    # 5: incidents (alerts/incidents.py), one row each, and which alerts each holds (incident_of_alert)
    (5, [
        """CREATE TABLE IF NOT EXISTS incidents (
            id TEXT PRIMARY KEY, brand TEXT NOT NULL, status TEXT NOT NULL,
            opened_at INTEGER NOT NULL, data TEXT NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS incidents_opened ON incidents(opened_at, id)",
        "CREATE INDEX IF NOT EXISTS incidents_brand ON incidents(brand, status)",
        """CREATE TABLE IF NOT EXISTS incident_alerts (
            alert_id TEXT NOT NULL, incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
            opened_at INTEGER NOT NULL,
            PRIMARY KEY (alert_id, opened_at, incident_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX IF NOT EXISTS incident_alerts_incident ON incident_alerts(incident_id)",
    ]),
]

LATEST = MIGRATIONS[-1][0]


def migrate(conn: sqlite3.Connection, migrations: list[tuple[int, list[str]]] = MIGRATIONS) -> int:
    """Bring the database to the latest version, one transaction per version. Returns the version.

    Safe when several processes open a fresh database at once: each version is applied under BEGIN IMMEDIATE
    (the write lock, waited for with the connection's busy timeout) after re-reading the version inside it, so
    whoever comes second finds the work done instead of failing on "table already exists". `conn` must be in
    autocommit mode (isolation_level=None) so that the transactions here are the only ones.
    """
    for version, statements in migrations:
        if _version(conn) >= version:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            if _version(conn) < version:  # (another process may have applied it while this one waited)
                for statement in statements:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # (some errors have rolled it back already)
                conn.execute("ROLLBACK")
            raise
    current, latest = _version(conn), migrations[-1][0]
    if current > latest:
        raise RuntimeError(f"schema version {current} of {_name(conn)} is newer than this Ascolto ({latest}); "
                           "upgrade Ascolto")
    return current


def _version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _name(conn: sqlite3.Connection) -> str:
    row = conn.execute("PRAGMA database_list").fetchone()
    return str(row[2]) if row and row[2] else "the database"
