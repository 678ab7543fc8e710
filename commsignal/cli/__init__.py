"""The `commsignal` command line: thin click groups over the stages, one module per command family.

`main` holds the top-level group and the small commands; `context` is what every command shares
(config, store, pseudonyms); the other modules are one command family each.
"""

from __future__ import annotations

from commsignal.cli.main import cli, main

__all__ = ["cli", "main"]
