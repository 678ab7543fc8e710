"""Weekly participation per person: messages, replies, threads, contacts, reactions, small talk and meetings."""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

from sqlite_utils import Database

MIN_MESSAGES_FOR_SHARE = 20
LATE_OR_EARLY_SECONDS = 5 * 60


def participation_features(
    db: Database, start: float, end: float, min_messages: int = MIN_MESSAGES_FOR_SHARE
) -> dict[str, dict[str, Any]]:
    """Participation measures of every person active in [start, end).

    Args:
        db: the store.
        start: week start (epoch seconds).
        end: week end (epoch seconds).
        min_messages: below this many scored messages the small-talk share is "not enough data" (None).

    Returns:
        person_id -> measures. The small-talk share is None, never 0, when there is too little to judge.
    """
    out: dict[str, dict[str, Any]] = defaultdict(_empty)
    contacts: dict[str, set[str]] = defaultdict(set)
    roots: dict[tuple[str, str], tuple[str, float]] = {}
    for m in db.query(
        "select source, message_id, person_id, ts, is_reply, thread_id from messages "
        "where is_reply = 0 and thread_id is not null and ts >= ? and ts < ?",
        [start - 14 * 86400, end],
    ):
        roots[(m["source"], m["thread_id"])] = (m["person_id"], m["ts"])

    latencies: dict[str, list[float]] = defaultdict(list)
    threads: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for m in db.query(
        "select source, person_id, ts, is_reply, reply_to_person_id, thread_id, mentions, n_tokens, "
        "is_small_talk, is_pleasantry, is_question, during_meeting_id from messages "
        "where ts >= ? and ts < ? and person_id is not null",
        [start, end],
    ):
        pid = m["person_id"]
        f = out[pid]
        f["messages"] += 1
        if m["is_small_talk"] is not None and m["n_tokens"]:
            f["scored_messages"] += 1
            f["small_talk_messages"] += m["is_small_talk"] or 0
            f["pleasantry_messages"] += m["is_pleasantry"] or 0
        f["questions"] += m["is_question"] or 0
        if m["during_meeting_id"]:
            f["chat_during_meetings"] += 1
        other = m["reply_to_person_id"]
        if m["is_reply"] and other and other != pid:
            f["replies_to_others"] += 1
            contacts[pid].add(other)
            contacts[other].add(pid)
            root = roots.get((m["source"], m["thread_id"]))
            if root is not None:
                latencies[pid].append(max(0.0, m["ts"] - root[1]))
                threads[root[0]].add((m["source"], m["thread_id"]))
        for mentioned in _json_list(m["mentions"]):
            if mentioned != pid:
                contacts[pid].add(mentioned)
                contacts[mentioned].add(pid)

    for r in db.query(
        "select person_id, target_person_id from reactions where ts >= ? and ts < ?", [start, end]
    ):
        giver, target = r["person_id"], r["target_person_id"]
        if not target or giver == target:
            continue
        out[giver]["reactions_given"] += 1
        out[target]["reactions_received"] += 1
        contacts[giver].add(target)
        contacts[target].add(giver)

    _meeting_features(db, start, end, out)

    for pid, f in out.items():
        f["threads_started"] = len(threads.get(pid, ()))
        f["distinct_contacts"] = len(contacts.get(pid, ()))
        scored = f["scored_messages"]
        f["small_talk_share"] = (
            round(f["small_talk_messages"] / scored, 4) if scored >= min_messages else None
        )
        lat = latencies.get(pid)
        f["median_reply_latency_s"] = round(statistics.median(lat), 1) if lat else None
        known = f["video_known"]
        f["video_on_share"] = round(f["video_on"] / known, 4) if known else None
    return dict(out)


def _meeting_features(
    db: Database, start: float, end: float, out: dict[str, dict[str, Any]]
) -> None:
    for a in db.query(
        "select a.person_id, a.invited, a.attended_seconds, a.first_join_ts, a.last_leave_ts, "
        "a.video_on, a.video_basis, m.start_ts, m.end_ts from attendance a join meetings m "
        "on a.source = m.source and a.meeting_id = m.meeting_id "
        "where m.start_ts >= ? and m.start_ts < ?",
        [start, end],
    ):
        f = out[a["person_id"]]
        length_min = max(0.0, (a["end_ts"] - a["start_ts"]) / 60)
        if a["invited"]:
            f["meetings_invited"] += 1
            f["meeting_minutes_invited"] += round(length_min, 1)
        if a["attended_seconds"]:
            f["meetings_attended"] += 1
            f["meeting_minutes_attended"] += round(a["attended_seconds"] / 60, 1)
            if a["first_join_ts"] and a["first_join_ts"] - a["start_ts"] > LATE_OR_EARLY_SECONDS:
                f["late_joins"] += 1
            if a["last_leave_ts"] and a["end_ts"] - a["last_leave_ts"] > LATE_OR_EARLY_SECONDS:
                f["early_leaves"] += 1
            if a["video_on"] is not None:
                f["video_known"] += 1
                f["video_on"] += a["video_on"]
                if a["video_on"] and a["video_basis"] == "modalities":
                    # the call record said video was present, not that this person sent it
                    f["video_on_ambiguous"] += 1


def _empty() -> dict[str, Any]:
    return {
        "messages": 0,
        "scored_messages": 0,
        "small_talk_messages": 0,
        "pleasantry_messages": 0,
        "questions": 0,
        "replies_to_others": 0,
        "reactions_given": 0,
        "reactions_received": 0,
        "chat_during_meetings": 0,
        "meetings_invited": 0,
        "meetings_attended": 0,
        "meeting_minutes_invited": 0.0,
        "meeting_minutes_attended": 0.0,
        "late_joins": 0,
        "early_leaves": 0,
        "video_known": 0,
        "video_on": 0,
        "video_on_ambiguous": 0,
    }


def _json_list(value: str | None) -> list[str]:
    if not value or value == "[]":
        return []
    import json

    return list(json.loads(value))
