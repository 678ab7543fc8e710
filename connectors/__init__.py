"""Platform connectors: API payloads and log files to commsignal.models records plus cursors."""
