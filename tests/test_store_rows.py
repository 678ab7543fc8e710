"""upsert_changed: new rows inserted as plain values, unchanged rows never rewritten."""

from __future__ import annotations

from typing import Any

from commsignal.store import open_db
from commsignal.store.rows import upsert_changed


def _conversation(cid: str, **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "source": "slack",
        "conversation_id": cid,
        "kind": "channel",
        "name": f"#{cid}",
        "member_count": 3,
    }
    row.update(kw)
    return row


def test_new_rows_store_bools_as_integers_and_a_rerun_writes_nothing() -> None:
    db = open_db(None)
    rows = [
        {"source": "slack", "account_id": "U1", "is_bot": True, "deleted": False},
        {"source": "slack", "account_id": "U2", "is_bot": False, "deleted": True},
    ]
    assert upsert_changed(db, "accounts", rows) == 2
    stored = db.execute(
        "select account_id, is_bot, typeof(is_bot), deleted, typeof(deleted) from accounts "
        "order by account_id"
    ).fetchall()
    assert stored == [("U1", 1, "integer", 0, "integer"), ("U2", 0, "integer", 1, "integer")]
    assert upsert_changed(db, "accounts", rows) == 0
    # the same values given as integers are no change either
    as_ints = [{**r, "is_bot": int(r["is_bot"]), "deleted": int(r["deleted"])} for r in rows]
    assert upsert_changed(db, "accounts", as_ints) == 0


def test_columns_are_matched_by_name_whatever_the_key_order() -> None:
    db = open_db(None)
    first = _conversation("C1")
    reordered = dict(reversed(list(_conversation("C2", name="#two", member_count=9).items())))
    assert upsert_changed(db, "conversations", [first, reordered]) == 2
    assert db.execute(
        "select conversation_id, kind, name, member_count from conversations order by 1"
    ).fetchall() == [("C1", "channel", "#C1", 3), ("C2", "channel", "#two", 9)]


def test_changed_rows_are_rewritten_and_a_repeated_key_keeps_its_last_version() -> None:
    db = open_db(None)
    assert upsert_changed(db, "conversations", [_conversation("C1"), _conversation("C2")]) == 2
    batch = [
        _conversation("C1", member_count=4),
        _conversation("C3", name="#first"),
        _conversation("C3", name="#last"),
    ]
    assert upsert_changed(db, "conversations", batch) == 2
    assert db.execute(
        "select conversation_id, name, member_count from conversations order by 1"
    ).fetchall() == [("C1", "#C1", 4), ("C2", "#C2", 3), ("C3", "#last", 3)]


def test_a_single_column_row_is_inserted() -> None:
    db = open_db(None)
    assert upsert_changed(db, "people", [{"person_id": "p-1"}, {"person_id": "p-2"}]) == 2
    assert [r[0] for r in db.execute("select person_id from people order by 1")] == ["p-1", "p-2"]
    assert upsert_changed(db, "people", [{"person_id": "p-1"}]) == 0
