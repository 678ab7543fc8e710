"""The store's schema, changed only through ordered sqlite-utils migrations."""

from __future__ import annotations

import hashlib

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from commsignal.store.tx import write_transaction

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
def m003_identity(db: Database) -> None:
    """People as a resolution of accounts: directory, manual links, references kept per row."""
    for statement in _IDENTITY.split(";"):
        if statement.strip():
            db.execute(statement)


_IDENTITY = """
        CREATE TABLE directory (
            origin TEXT NOT NULL,              -- csv (authoritative) | m365
            email TEXT NOT NULL,
            display_name TEXT,
            team TEXT,
            title TEXT,
            manager_email TEXT,
            timezone TEXT,
            country TEXT,
            start_date TEXT,                   -- ISO date: new joiners get the new-joiner baseline
            aliases TEXT NOT NULL DEFAULT '[]', -- JSON list: DOMAIN\\sam, UPNs, logins, user ids
            updated_at REAL,
            PRIMARY KEY (origin, email)
        );
        CREATE TABLE identity_links (
            source TEXT NOT NULL,
            account_id TEXT NOT NULL,
            email TEXT,                        -- NULL: unlinked (the account stands alone)
            reason TEXT NOT NULL,
            actor TEXT,
            created_at REAL NOT NULL,
            PRIMARY KEY (source, account_id)
        );
        CREATE TABLE identity_refs (
            -- identities rows refer to that are no account of their own (an invitee's address,
            -- a mention of a departed user), with the person their rows carry now
            source TEXT NOT NULL,
            raw_id TEXT NOT NULL,
            person_id TEXT,
            PRIMARY KEY (source, raw_id)
        );
        CREATE TABLE person_history (
            old_person_id TEXT PRIMARY KEY,    -- a pseudonym some digest printed
            person_id TEXT NOT NULL,           -- who it is now
            changed_at REAL NOT NULL
        );
        ALTER TABLE accounts ADD COLUMN kind TEXT NOT NULL DEFAULT 'platform';
        ALTER TABLE people ADD COLUMN start_date TEXT;
        ALTER TABLE messages ADD COLUMN reply_to_account_id TEXT;
        ALTER TABLE messages ADD COLUMN mention_account_ids TEXT;
        ALTER TABLE reactions ADD COLUMN account_id TEXT;
        ALTER TABLE meetings ADD COLUMN organizer_account_id TEXT;
        ALTER TABLE attendance ADD COLUMN account_id TEXT
"""


@migrations()
def m007_hardening(db: Database) -> None:
    """Audit rows carry a status and the revealed pseudonyms; purges leave a retention horizon."""
    db.execute("ALTER TABLE audit_log ADD COLUMN status TEXT NOT NULL DEFAULT 'ok'")
    db.execute("ALTER TABLE audit_log ADD COLUMN subjects TEXT")  # JSON list of pseudonyms
    db.execute(
        """
        CREATE TABLE _retention (
            scope TEXT PRIMARY KEY,            -- 'data': collected activity and what derives from it
            purged_before REAL NOT NULL,       -- nothing older is kept; weeks before it are refused
            purged_at REAL NOT NULL
        )
        """
    )


@migrations()
def m006_triage(db: Database) -> None:
    """Analyst verdicts and stored allowlist entries (`commsignal triage`, `commsignal allow`)."""
    db.execute(
        """
        CREATE TABLE triage_verdicts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            person_id TEXT NOT NULL,       -- pseudonym the verdict is about
            detector TEXT,                 -- NULL: every rule that fired that week
            week TEXT NOT NULL,            -- week the analyst looked at
            verdict TEXT NOT NULL,         -- benign, confirmed, escalated, needs-review
            reason TEXT NOT NULL,
            until TEXT,                    -- ISO date; benign verdicts only
            assignee TEXT,
            baseline TEXT NOT NULL,        -- JSON {detector: {score, atoms}} when decided
            actor TEXT NOT NULL,
            created_at REAL NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX triage_verdicts_person ON triage_verdicts(person_id, week)")
    db.execute(
        """
        CREATE TABLE triage_allow (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            rules TEXT NOT NULL,           -- JSON list of rule ids, ["*"] for all
            devices TEXT NOT NULL,         -- JSON lists
            cidrs TEXT NOT NULL,
            tools TEXT NOT NULL,
            teams TEXT NOT NULL,
            person_id TEXT,                -- limited to this pseudonym, when set
            reason TEXT NOT NULL,
            expires TEXT NOT NULL,         -- ISO date, last day applied
            actor TEXT NOT NULL,
            created_at REAL NOT NULL,
            removed_at REAL
        )
        """
    )


@migrations()
def m004_import_accounting(db: Database) -> None:
    """Quarantine rows dated by their data (retention follows it) and indexed for list/clear."""
    db.execute("ALTER TABLE quarantine ADD COLUMN data_ts REAL")
    db.execute("CREATE INDEX quarantine_source_file ON quarantine(source, file)")
    db.execute("CREATE INDEX quarantine_when ON quarantine(data_ts, created_at)")


@migrations()
def m005_graph(db: Database) -> None:
    """Sign-ins keep their device id and account id; attendance says how camera use was decided."""
    db.execute("ALTER TABLE login_events ADD COLUMN device_id TEXT")
    db.execute("ALTER TABLE login_events ADD COLUMN account_id TEXT")
    db.execute("ALTER TABLE attendance ADD COLUMN video_basis TEXT")


@migrations()
def m009_digest_charts(db: Database) -> None:
    """Weeks analysed only to fill the digest's look back, so they are analysed once."""
    db.execute(
        """
        CREATE TABLE analysed_weeks (
            week TEXT PRIMARY KEY,
            analysed_at REAL NOT NULL,
            people INTEGER NOT NULL,       -- person-weeks with features
            flagged INTEGER NOT NULL       -- people with at least one finding
        )
        """
    )


@migrations()
def m010_people_kinds(db: Database) -> None:
    """What each identity is (person, guest, room, shared mailbox...) and who a week left unscored, why."""
    db.execute("ALTER TABLE accounts ADD COLUMN purpose TEXT")  # Exchange mailbox userPurpose
    db.execute("ALTER TABLE directory ADD COLUMN kind TEXT")
    db.execute("ALTER TABLE directory ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE people ADD COLUMN kind TEXT NOT NULL DEFAULT 'person'")
    db.execute("ALTER TABLE people ADD COLUMN scope TEXT NOT NULL DEFAULT 'auto'")
    db.execute("ALTER TABLE people ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0")
    db.execute(
        """
        CREATE TABLE week_exclusions (
            week TEXT NOT NULL,
            person_id TEXT NOT NULL,
            reason TEXT NOT NULL,          -- room, shared, service, excluded, no_activity, ...
            PRIMARY KEY (week, person_id)
        )
        """
    )


def apply(db: Database) -> list[str]:
    """Apply pending migrations and return their names.

    Args:
        db: the open store.

    Returns:
        Names of the migrations that ran now (empty when the schema was current).
    """
    if not migrations.pending(db):
        return []
    # under the write lock: a second process starting at the same time waits, then finds
    # nothing pending, instead of racing to create the same tables
    with write_transaction(db):
        pending = [m.name for m in migrations.pending(db)]
        migrations.apply(db)
    return pending
