"""Run one Slack sync in a separate process, so a test can SIGKILL it half-way.

Usage: python tests/slack_sync_runner.py DB_PATH BASE_URL PAGE_SIZE (token from SLACK_BOT_TOKEN).
"""

from __future__ import annotations

import json
import os
import sys

from commsignal.ingest import Ingestor
from commsignal.privacy import Pseudonymizer
from commsignal.sources.slack import sync_slack
from commsignal.store import open_db
from connectors.slack import SlackSettings


def main() -> None:
    """Sync into DB_PATH and print the report's counters as JSON."""
    db_path, base_url, page_size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    db = open_db(db_path)
    ingestor = Ingestor(db, Pseudonymizer(b"kill-test-key"), None)
    settings = SlackSettings(
        token=os.environ["SLACK_BOT_TOKEN"],
        base_url=base_url,
        page_size=page_size,
        retry_sleep_scale=0,
    )
    report = sync_slack(db, ingestor, settings)
    print(json.dumps({"pages": report.pages, "rows": report.rows_written}))


if __name__ == "__main__":
    main()
