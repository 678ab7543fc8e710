"""From stored rows to weekly numbers: sessions (`sessions`, `session_store`), weekly features
(`features`), access features, participation and team baselines."""
