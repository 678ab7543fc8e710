"""commsignal: explainable weekly insider-risk digests from collaboration and login metadata."""

__version__ = "0.1.0"
