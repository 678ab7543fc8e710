"""Writes the simulated workstation logins as the generic login CSV the importer reads.

The demo feeds this file to the real importer, so the header and value formats here are the
contract: ISO-8601 UTC timestamps with a `Z`, one event per row, sorted by time.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from commsignal.demo.world import World
from commsignal.store.files import private_open

HEADER = ("user", "timestamp", "event", "ip", "device", "client_app", "session_id")
WORKSTATION_EVENTS = frozenset({"logon", "logoff", "lock", "unlock", "disconnect", "reconnect"})


def iso_z(ts: float) -> str:
    """Epoch seconds as ISO-8601 UTC with a `Z` suffix and whole seconds."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_workstation_csv(world: World, path: Path) -> int:
    """Writes the world's workstation login events as CSV, oldest first.

    Args:
        world: The simulated organisation.
        path: Destination file (parent directories are created).

    Returns:
        The number of data rows written.
    """
    rows = sorted(
        (x for x in world.logins if x.source == "workstation" and x.event in WORKSTATION_EVENTS),
        key=lambda x: (x.ts, x.user, x.event),
    )
    with private_open(path, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for x in rows:
            w.writerow(
                (
                    x.user,
                    iso_z(x.ts),
                    x.event,
                    x.ip or "",
                    x.device or "",
                    x.client_app or "",
                    x.session_id or "",
                )
            )
    return len(rows)
