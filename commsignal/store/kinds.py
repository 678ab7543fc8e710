"""What an identity is (a person, a guest, a room, a shared mailbox, a service account), and the overrides.

A directory lists more than people: Exchange room and equipment mailboxes, shared mailboxes and
service accounts are Entra users too, and scoring them as silent colleagues is noise. The kind
is decided once per person, when identities are resolved, from (strongest first): the
`[identity] include`/`exclude` lists, the CSV directory's `kind` column, Microsoft 365's mailbox
purpose and user type, and the platform accounts' own flags.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

PERSON = "person"
GUEST = "guest"
# kinds the directory CSV may declare; the mailbox kinds come from Exchange's userPurpose
KINDS = (PERSON, GUEST, "room", "equipment", "shared", "service")
# never people in the digest, whatever activity they show (a Teams Room joins calls with video)
NOT_PEOPLE = frozenset({"room", "equipment", "shared", "service"})
# Exchange `userPurpose` values that mean a resource or shared mailbox; "user", "linked" (a
# person's mailbox in another forest) and "others" stay people: when unsure, keep the person
_MAILBOX_KINDS = {"room": "room", "equipment": "equipment", "shared": "shared"}


@dataclass(frozen=True, slots=True)
class PersonKind:
    """A person's kind, whether an override decides their scoring, and whether every account is off."""

    kind: str = PERSON
    scope: str = "auto"  # auto | include (scored even if not a person) | exclude (never scored)
    disabled: bool = False


def kind_of_graph_user(user: Mapping[str, Any]) -> str:
    """The kind of a Graph user object (documented property names).

    Args:
        user: a `/users` object, optionally with `mailboxSettings` (its `userPurpose`).

    Returns:
        "room", "equipment" or "shared" by mailbox purpose; "guest" for `userType` Guest or a
        `#EXT#` UPN (guests created before userType existed have none); otherwise "person".
    """
    settings = user.get("mailboxSettings") or {}
    purpose = str(settings.get("userPurpose") or "").lower()
    if purpose in _MAILBOX_KINDS:
        return _MAILBOX_KINDS[purpose]
    upn = str(user.get("userPrincipalName") or "")
    if str(user.get("userType") or "").lower() == "guest" or "#ext#" in upn.lower():
        return GUEST
    return PERSON


def matches(email: str | None, patterns: Iterable[str]) -> bool:
    """True when an email matches one of the patterns (exact addresses or globs, any case)."""
    if not email:
        return False
    low = email.lower()
    return any(fnmatch.fnmatchcase(low, p.strip().lower()) for p in patterns if p.strip())


def classify(
    email: str | None,
    directory_kinds: Iterable[tuple[str | None, bool]],
    accounts: Iterable[Mapping[str, Any]],
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    exclude_guests: bool = False,
) -> PersonKind:
    """Decide what a resolved person is.

    Args:
        email: the person's email identity, if any.
        directory_kinds: (kind, disabled) from their directory entries, the CSV's first.
        accounts: their account rows (`kind`, `purpose`, `is_restricted`, `deleted`).
        include: `[identity] include` patterns: scored whatever the kind.
        exclude: `[identity] exclude` patterns: never scored.
        exclude_guests: `[identity] exclude_guests`: guests are not scored either.

    Returns:
        The PersonKind.
    """
    accounts = list(accounts)
    directory_kinds = list(directory_kinds)
    platform = [a for a in accounts if a.get("kind") != "login"]
    kind = next((k for k, _ in directory_kinds if k), None)
    if kind is None:
        purposes = [_MAILBOX_KINDS.get(str(a.get("purpose") or "").lower()) for a in platform]
        kind = next((p for p in purposes if p), None)
    if kind is None:
        # a guest on every platform that knows them; a member anywhere makes them a person
        guest = bool(platform) and all(a.get("is_restricted") for a in platform)
        kind = GUEST if guest or "#ext#" in (email or "") else PERSON
    disabled = any(d for _, d in directory_kinds) or (
        bool(platform) and all(a.get("deleted") for a in platform)
    )
    scope = "auto"
    if matches(email, include):
        scope = "include"
    elif matches(email, exclude) or (exclude_guests and kind == GUEST):
        scope = "exclude"
    return PersonKind(kind, scope, disabled)
