"""What every CLI command shares: the config and database chosen by --config/--db, opened once, lazily."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click

from commsignal.config import Config, ConfigError, load_config

if TYPE_CHECKING:
    from sqlite_utils import Database

    from commsignal.ingest import Ingestor
    from commsignal.privacy import Pseudonymizer

DEFAULT_DB = "commsignal.db"


@dataclass
class AppContext:
    """Lazily opened config, store, pseudonymizer and ingestor for one CLI invocation."""

    config_path: Path | None = None
    db_override: Path | None = None
    _config: Config | None = field(default=None, repr=False)
    _db: Database | None = field(default=None, repr=False)
    _pseudonyms: Pseudonymizer | None = field(default=None, repr=False)

    def fresh(self) -> AppContext:
        """A new context over the same --config and --db, for another thread (the scheduler's)."""
        return AppContext(config_path=self.config_path, db_override=self.db_override)

    def config(self) -> Config:
        """The validated config (built-in defaults without --config)."""
        if self._config is None:
            try:
                self._config = load_config(self.config_path)
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from None
        return self._config

    @property
    def db_path(self) -> Path:
        """--db, then COMMSIGNAL_DB (click maps it), then [database] in the config, then ./commsignal.db."""
        if self.db_override is not None:
            return self.db_override
        return Path(self.config().database or DEFAULT_DB)

    def db(self) -> Database:
        """The store, created with mode 0600 and migrated on first use."""
        if self._db is None:
            from commsignal.store import open_db

            self._db = open_db(self.db_path)
        return self._db

    def pseudonyms(self) -> Pseudonymizer:
        """The keyed pseudonymizer (configured key, or one generated beside the database)."""
        if self._pseudonyms is None:
            from commsignal.store.keys import PseudonymKeyError, load_or_create_key

            cfg = self.config()
            key = None
            if cfg.privacy.pseudonym_key is not None:
                try:
                    key = cfg.privacy.pseudonym_key.resolve(
                        "privacy.pseudonym_key", cfg.source_name
                    )
                except ConfigError as exc:
                    raise click.ClickException(str(exc)) from None
            try:
                self._pseudonyms = load_or_create_key(self.db_path, key)
            except PseudonymKeyError as exc:
                raise click.ClickException(str(exc)) from None
        return self._pseudonyms

    def ingestor(self, scorer: bool = True) -> Ingestor:
        """An Ingestor over the store; with the small-talk scorer unless scoring is not needed."""
        from commsignal.ingest import Ingestor

        nlp_scorer = None
        if scorer:
            from nlp import SmallTalkScorer

            nlp_scorer = SmallTalkScorer()
        privacy = self.config().privacy
        keep = privacy.text_retention_days if privacy.keep_message_text else 0
        from commsignal.sources.directory import identity_rules

        rules = identity_rules(self.config().identity)
        return Ingestor(self.db(), self.pseudonyms(), nlp_scorer, keep_text_days=keep, rules=rules)


pass_app = click.make_pass_decorator(AppContext)
