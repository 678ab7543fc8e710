"""The weekly digest: built from findings, rendered to HTML, Markdown and JSON."""

from commsignal.digest.build import build_digest, coverage
from commsignal.digest.render import render, write_digest

__all__ = ["build_digest", "coverage", "render", "write_digest"]
