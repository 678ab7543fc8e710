"""What brings data in: per-platform sync orchestration (`slack`, `m365`), file imports
(`slack_export`, `logins`) and the `sync` entry that runs the configured sources in order."""
