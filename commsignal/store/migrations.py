"""The store's schema, changed only through ordered sqlite-utils migrations."""

from __future__ import annotations

import hashlib

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("commsignal")

# Message text has no column anywhere: only features are stored (see commsignal.ingest).
_INITIAL = """
CREATE TABLE people (
    person_id TEXT PRIMARY KEY,        -- keyed pseudonym of the canonical email
    email TEXT,
    display_name TEXT,
    team TEXT,
    title TEXT,
    manager_person_id TEXT,
    tz TEXT,                           -- declared time zone (profile / mailbox settings)
    country TEXT,                      -- declared country (usageLocation / HR)
    manager_alerts_opt_in INTEGER NOT NULL DEFAULT 0,
    updated_at REAL
);
CREATE UNIQUE INDEX people_email ON people(email);
CREATE TABLE accounts (
    source TEXT NOT NULL,
    account_id TEXT NOT NULL,
    person_id TEXT,
    email TEXT,
    display_name TEXT,
    tz TEXT,
    is_bot INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0,
    is_restricted INTEGER NOT NULL DEFAULT 0,
    department TEXT,
    title TEXT,
    manager_account_id TEXT,
    country TEXT,
    PRIMARY KEY (source, account_id)
);
CREATE INDEX accounts_person ON accounts(person_id);
CREATE TABLE conversations (
    source TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT,
    member_count INTEGER,
    PRIMARY KEY (source, conversation_id)
);
CREATE TABLE messages (
    source TEXT NOT NULL,
    message_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    person_id TEXT,
    ts REAL NOT NULL,
    thread_id TEXT,
    is_reply INTEGER NOT NULL DEFAULT 0,
    reply_to_person_id TEXT,
    mentions TEXT,                     -- JSON list of person ids
    n_mentions INTEGER NOT NULL DEFAULT 0,
    n_tokens INTEGER NOT NULL DEFAULT 0,
    small_talk REAL,
    is_small_talk INTEGER,
    is_pleasantry INTEGER,
    is_question INTEGER,
    cues TEXT,                         -- JSON list of cue categories
    edited_ts REAL,
    during_meeting_id TEXT,
    PRIMARY KEY (source, message_id)
);
CREATE INDEX messages_person_ts ON messages(person_id, ts);
CREATE INDEX messages_conversation_ts ON messages(source, conversation_id, ts);
CREATE TABLE reactions (
    source TEXT NOT NULL,
    message_id TEXT NOT NULL,
    person_id TEXT NOT NULL,           -- who reacted
    target_person_id TEXT,             -- whose message it was
    name TEXT NOT NULL,
    ts REAL,
    PRIMARY KEY (source, message_id, person_id, name)
);
CREATE INDEX reactions_person ON reactions(person_id);
CREATE TABLE meetings (
    source TEXT NOT NULL,
    meeting_id TEXT NOT NULL,
    organizer_person_id TEXT,
    start_ts REAL NOT NULL,
    end_ts REAL NOT NULL,
    is_online INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (source, meeting_id)
);
CREATE TABLE attendance (
    source TEXT NOT NULL,
    meeting_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    invited INTEGER NOT NULL DEFAULT 0,
    response TEXT,
    attended_seconds INTEGER NOT NULL DEFAULT 0,
    first_join_ts REAL,
    last_leave_ts REAL,
    role TEXT,
    video_on INTEGER,
    PRIMARY KEY (source, meeting_id, person_id)
);
CREATE INDEX attendance_person ON attendance(person_id);
CREATE TABLE login_events (
    -- uniqueness lives in a 64-bit key (see login_event_key): a text key of hash ids is written at
    -- random places and outgrows the page cache, an integer index is a third of its size
    event_key INTEGER NOT NULL UNIQUE,
    event_id TEXT NOT NULL,
    source TEXT NOT NULL,
    user TEXT NOT NULL,
    person_id TEXT,
    ts REAL NOT NULL,
    event TEXT NOT NULL,
    session_key TEXT,
    logon_type TEXT,
    ip TEXT,
    device TEXT,
    client_app TEXT,
    user_agent TEXT,
    country TEXT,
    city TEXT,
    success INTEGER NOT NULL DEFAULT 1,
    interactive INTEGER,
    host TEXT
);
CREATE INDEX login_events_user_ts ON login_events(user, ts);
CREATE INDEX login_events_person_ts ON login_events(person_id, ts);
CREATE TABLE sessions (
    session_id TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    person_id TEXT,
    source TEXT NOT NULL,
    start_ts REAL NOT NULL,
    end_ts REAL,
    last_seen_ts REAL NOT NULL,
    duration_seconds REAL NOT NULL,
    end_reason TEXT NOT NULL,          -- logoff | lock | disconnect | timeout | replaced | open
    logon_type TEXT,
    active_seconds REAL,
    active_spans TEXT,                 -- JSON [[start, end], ...]
    ips TEXT,
    devices TEXT,
    client_apps TEXT,
    countries TEXT
);
CREATE INDEX sessions_person_start ON sessions(person_id, start_ts);
CREATE TABLE person_weeks (
    person_id TEXT NOT NULL,
    week TEXT NOT NULL,
    features TEXT NOT NULL,            -- JSON object of weekly measures
    PRIMARY KEY (person_id, week)
);
CREATE TABLE findings (
    week TEXT NOT NULL,
    person_id TEXT NOT NULL,
    detector TEXT NOT NULL,
    rule_version INTEGER,
    strength TEXT NOT NULL,
    score REAL NOT NULL,
    summary TEXT NOT NULL,
    evidence TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (week, person_id, detector)
);
CREATE TABLE digests (
    week TEXT PRIMARY KEY,
    generated_at REAL NOT NULL,
    n_people INTEGER NOT NULL,
    n_high INTEGER NOT NULL,
    digest_json TEXT NOT NULL          -- the digest (pseudonymous)
);
CREATE TABLE _cursors (
    source TEXT NOT NULL,
    resource TEXT NOT NULL,
    partition TEXT NOT NULL DEFAULT '',
    cursor TEXT NOT NULL,              -- JSON
    updated_at REAL NOT NULL,
    PRIMARY KEY (source, resource, partition)
);
CREATE TABLE _runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    started_at REAL NOT NULL,
    finished_at REAL,
    status TEXT NOT NULL,
    stats TEXT
);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts REAL NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    reason TEXT
);
CREATE TABLE quarantine (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    file TEXT NOT NULL,
    line INTEGER NOT NULL,
    reason TEXT NOT NULL,
    raw TEXT,
    created_at REAL NOT NULL,
    UNIQUE (source, file, line)
);
"""


def login_event_key(event_id: str, probe: int = 0) -> int:
    """The unique key of a login event: the first 8 bytes of a hash of its id, as a signed int64.

    Args:
        event_id: the event's stable id (a content hash, or `entra:<id>` from Graph).
        probe: 0 normally; 1, 2, ... only for an event whose key collides with a different stored
            event (1 in 2^64 for any two events), so that it is stored under a key of its own.

    Returns:
        A signed 64-bit integer, the same for the same id and probe on every run.
    """
    data = event_id.encode("utf-8") if not probe else f"{event_id}\x1f{probe}".encode()
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big", signed=True)


@migrations()
def m001_initial(db: Database) -> None:
    """Create every table of the first schema."""
    for statement in _INITIAL.split(";"):
        if statement.strip():
            db.execute(statement)


@migrations()
def m002_message_text(db: Database) -> None:
    """Opt-in, time-limited message text ([privacy] keep_message_text); empty unless switched on."""
    db.execute(
        """
        CREATE TABLE message_text (
            source TEXT NOT NULL,
            message_id TEXT NOT NULL,
            text TEXT NOT NULL,
            expires_at REAL NOT NULL,
            PRIMARY KEY (source, message_id)
        )
        """
    )
    db.execute("CREATE INDEX message_text_expiry ON message_text(expires_at)")


@migrations()
def m005_graph(db: Database) -> None:
    """Sign-ins keep their device id and account id; attendance says how camera use was decided."""
    db.execute("ALTER TABLE login_events ADD COLUMN device_id TEXT")
    db.execute("ALTER TABLE login_events ADD COLUMN account_id TEXT")
    db.execute("ALTER TABLE attendance ADD COLUMN video_basis TEXT")


def apply(db: Database) -> list[str]:
    """Apply pending migrations and return their names.

    Args:
        db: the open store.

    Returns:
        Names of the migrations that ran now (empty when the schema was current).
    """
    pending = [m.name for m in migrations.pending(db)]
    migrations.apply(db)
    return pending
