"""World records rendered as Graph v1.0 JSON for the fake server (field names as in the Graph docs)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from commsignal.demo.fake_graph_meetings import GraphError, MeetingRenderer
from commsignal.demo.fake_graph_odata import bounds, iso, parse_iso, passes
from commsignal.demo.world import SimMessage, SimPerson, World
from connectors.msgraph.zones import WINDOWS_TO_IANA

_IANA_TO_WINDOWS = {v: k for k, v in WINDOWS_TO_IANA.items()}


@dataclass(slots=True)
class MsgState:
    """A message plus what Graph tracks about it: last change time, change version, deletion."""

    msg: SimMessage
    modified: float
    version: int
    deleted_at: float | None = None


class MessageStore:
    """Messages by channel with a change counter, so delta tokens can say what changed since."""

    def __init__(self, messages: list[SimMessage]) -> None:
        self.version = 0
        self.by_id: dict[str, MsgState] = {}
        self.by_channel: dict[str, list[str]] = {}
        for m in sorted(messages, key=lambda m: (m.ts, m.id)):
            if m.platform == "teams":
                self.add(m, None)

    def add(self, m: SimMessage, now: float | None) -> None:
        self.version += 1
        modified = max(m.ts, m.edited_ts or 0.0, now or 0.0)
        self.by_id[m.id] = MsgState(m, modified, self.version)
        self.by_channel.setdefault(m.channel, []).append(m.id)

    def edit(self, message_id: str, text: str, now: float) -> None:
        self.version += 1
        st = self.by_id[message_id]
        st.msg.text, st.msg.edited_ts, st.modified, st.version = text, now, now, self.version

    def remove(self, message_id: str, now: float) -> None:
        self.version += 1
        st = self.by_id[message_id]
        st.deleted_at, st.modified, st.version = now, now, self.version


class Renderer(MeetingRenderer):
    """One method per fake route: returns a list (collection), a dict (entity) or None (404)."""

    def __init__(
        self,
        world: World,
        replies_inline: int = 1000,
        sessions_page: int = 60,
        media_detail: bool = True,
    ) -> None:
        super().__init__(world, sessions_page, media_detail)
        self.world = world
        self.replies_inline = replies_inline
        self.bots = {b.key: b for b in world.bots}
        # rooms, shared mailboxes, leavers, guests: listed by /users, their mailboxes answer
        self.extras = {p.key: p for p in world.directory_extras if p.on_teams}
        self.by_graph.update({p.graph_id: p for p in self.extras.values()})
        self.channels = {c.id: c for c in world.channels if c.platform == "teams"}
        self.messages = MessageStore(world.messages)
        self.chats_of: dict[str, list[str]] = {}
        for c in self.channels.values():
            if c.kind == "chat":
                for k in c.members:
                    self.chats_of.setdefault(k, []).append(c.id)

    # directory
    def _user(self, p: SimPerson, select: list[str] | None, expand: str) -> dict[str, Any]:
        local = (p.upn or p.email).split("@", 1)[0]
        user: dict[str, Any] = {
            "userType": p.user_type,
            "id": p.graph_id,
            "displayName": p.name,
            "mail": p.email if p.mailbox else None,
            "userPrincipalName": p.upn or p.email,
            "department": p.team,
            "jobTitle": p.title,
            "usageLocation": p.country,
            "accountEnabled": p.enabled,
            "onPremisesSamAccountName": local.replace(".", "")[:20],
            "onPremisesDomainName": "corp.contoso.test",
            "employeeId": f"E{int(p.graph_id.replace('-', '')[:6], 16) % 100000:05d}",
        }
        if select:
            user = {k: v for k, v in user.items() if k in select or k == "id"}
        if "manager" in expand and p.manager_key in self.people:
            user["manager"] = {
                "@odata.type": "#microsoft.graph.user",
                "id": self.people[p.manager_key].graph_id,
            }
        return user

    def users(self, q: dict[str, str]) -> list[dict[str, Any]]:
        select = [s for s in q.get("$select", "").split(",") if s]
        listed = [*self.people.values(), *self.extras.values()]
        return [self._user(p, select, q.get("$expand", "")) for p in listed]

    def manager(self, uid: str, q: dict[str, str]) -> dict[str, Any] | None:
        p = self.by_graph.get(uid)
        if p is None or p.manager_key not in self.people:
            return None
        return {
            "@odata.type": "#microsoft.graph.user",
            **self._user(self.people[p.manager_key], None, ""),
        }

    def mailbox(self, uid: str, q: dict[str, str]) -> dict[str, Any] | None:
        p = self._mailbox_owner(uid)
        if p is None:
            return None
        # Exchange reports Windows zone names for many mailboxes: serve every other one that way
        tz = p.declared_tz
        if p.key in self.people and sorted(self.people).index(p.key) % 2 and tz in _IANA_TO_WINDOWS:
            tz = _IANA_TO_WINDOWS[tz]
        return {
            "timeZone": tz,
            "userPurpose": p.purpose,
            "language": {"locale": "en-US"},
            "workingHours": {"timeZone": {"name": tz}},
        }

    # messages
    def _identity(self, key: str) -> dict[str, Any]:
        if key in self.bots:
            b = self.bots[key]
            app = {"id": b.graph_id or key, "displayName": b.name, "applicationIdentityType": "bot"}
            return {"application": app, "device": None, "user": None}
        p = self.people.get(key)
        user = {
            "id": p.graph_id if p else key,
            "displayName": p.name if p else None,
            "userIdentityType": "aadUser",
        }
        return {"application": None, "device": None, "user": user}

    def _message(self, st: MsgState, replies: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        m = st.msg
        c = self.channels[m.channel]
        system = m.subtype == "systemEventMessage"
        mentions = [
            {"id": i, "mentionText": self.people[k].name, "mentioned": self._identity(k)}
            for i, k in enumerate(m.mentions)
            if k in self.people
        ]
        at = "".join(f' <at id="{x["id"]}">{x["mentionText"]}</at>' for x in mentions)
        reactions = []
        for a, b in m.reactions:
            who, name = (a, b) if a in self.people else (b, a)
            if who in self.people:
                reactions.append(
                    {
                        "reactionType": name,
                        "createdDateTime": iso(m.ts),
                        "user": self._identity(who),
                    }
                )
        body: dict[str, Any] = {
            "id": m.id,
            "replyToId": m.thread_root if m.thread_root and m.thread_root != m.id else None,
            "etag": str(st.version),
            "messageType": "systemEventMessage" if system else "message",
            "createdDateTime": iso(m.ts),
            "lastModifiedDateTime": iso(st.modified),
            "lastEditedDateTime": iso(m.edited_ts) if m.edited_ts else None,
            "deletedDateTime": iso(st.deleted_at) if st.deleted_at else None,
            "chatId": m.channel if c.kind == "chat" else None,
            "importance": "normal",
            "from": None if system else self._identity(m.author),
            "body": {
                "contentType": "html",
                "content": "<systemEventMessage/>" if system else f"<p>{_html(m.text)}{at}</p>",
            },
            "channelIdentity": (
                {"teamId": c.team_id, "channelId": c.id} if c.kind == "channel" else None
            ),
            "attachments": [],
            "mentions": mentions,
            "reactions": reactions,
            "eventDetail": (
                {"@odata.type": "#microsoft.graph.membersAddedEventMessageDetail", "members": []}
                if system
                else None
            ),
        }
        if replies is not None:
            body["replies"] = replies
        return body

    def chat_messages(self, uid: str, q: dict[str, str]) -> list[dict[str, Any]] | None:
        p = self.by_graph.get(uid)
        if p is None:
            return None
        self._teams_user(p)
        flt = bounds(q, "lastModifiedDateTime")
        if any(op not in ("gt", "lt") for op, _ in flt):
            # getAllMessages documents gt and lt on lastModifiedDateTime only
            raise GraphError(400, "BadRequest", "Invalid filter clause: unsupported operator.")
        out = []
        for cid in self.chats_of.get(p.key, []):
            for mid in self.messages.by_channel.get(cid, []):
                st = self.messages.by_id[mid]
                if passes(st.modified, flt):
                    out.append(self._message(st))
        out.sort(key=lambda x: x["lastModifiedDateTime"])
        return out

    def teams(self, q: dict[str, str]) -> list[dict[str, Any]]:
        ids = sorted(
            {c.team_id for c in self.channels.values() if c.kind == "channel" and c.team_id}
        )
        return [{"id": t, "displayName": f"Team {t}"} for t in ids]

    def team_channels(self, tid: str, q: dict[str, str]) -> list[dict[str, Any]]:
        return [
            {"id": c.id, "displayName": c.name, "membershipType": "standard"}
            for c in self.channels.values()
            if c.kind == "channel" and c.team_id == tid
        ]

    def delta(
        self, tid: str, cid: str, q: dict[str, str]
    ) -> tuple[list[dict[str, Any]], str] | None:
        if cid not in self.channels:
            return None
        since = int(q.get("$deltatoken", "v0")[1:])
        expand = "replies" in q.get("$expand", "")
        roots: dict[str, list[MsgState]] = {}
        order: list[str] = []
        for mid in self.messages.by_channel.get(cid, []):
            st = self.messages.by_id[mid]
            root = st.msg.thread_root if st.msg.thread_root else mid
            if root not in roots:
                roots[root] = []
                order.append(root)
            if root != mid:
                roots[root].append(st)
        out = []
        for root in order:
            rst = self.messages.by_id.get(root)
            if rst is None:
                continue
            changed = rst.version > since or any(r.version > since for r in roots[root])
            if not changed:
                continue
            if rst.deleted_at is not None:
                if since:  # a first round simply leaves deleted roots out
                    out.append({"id": root, "@removed": {"reason": "deleted"}})
                continue
            body = self._message(rst, None)
            if expand:
                replies = roots[root]
                body["replies"] = [self._message(r) for r in replies[: self.replies_inline]]
                if len(replies) > self.replies_inline:
                    body["replies@odata.nextLink"] = (
                        f"{self.base_url}/v1.0/teams/{tid}/channels/{cid}/messages/{root}/replies?"
                        + urlencode({"$skiptoken": f"o{self.replies_inline}"})
                    )
            out.append(body)
        return out, f"v{self.messages.version}"

    def replies(
        self, tid: str, cid: str, mid: str, q: dict[str, str]
    ) -> list[dict[str, Any]] | None:
        root = self.messages.by_id.get(mid)
        if cid not in self.channels or root is None or root.msg.channel != cid:
            return None
        return [
            self._message(st)
            for rid in self.messages.by_channel.get(cid, [])
            if (st := self.messages.by_id[rid]).msg.thread_root == mid and rid != mid
        ]


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


__all__ = ["MessageStore", "MsgState", "Renderer", "iso", "parse_iso"]
