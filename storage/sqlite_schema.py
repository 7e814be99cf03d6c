"""Versioned schema migrations of the embedded store. Append a new version; never edit a released one."""

from __future__ import annotations

import sqlite3

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
]

LATEST = MIGRATIONS[-1][0]


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database to the latest version, one transaction per version. Returns the version."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > LATEST:
        raise RuntimeError(f"store schema version {current} is newer than this Ascolto ({LATEST}); upgrade Ascolto")
    for version, statements in MIGRATIONS:
        if version <= current:
            continue
        with conn:
            for statement in statements:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
        current = version
    return current
