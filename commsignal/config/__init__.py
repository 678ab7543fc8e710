"""Configuration: TOML into validated models (`models`), shared bases and secret references
(`base`), cron strings (`cron`) and the `[deliver]` section (`deliver`).

Callers import the names they need from here; the submodules are the places to read.
"""

from __future__ import annotations

from commsignal.config.base import ConfigError, SecretRef
from commsignal.config.models import (
    EXAMPLE_CONFIG,
    AlertsConfig,
    Config,
    DetectConfig,
    load_config,
)

__all__ = [
    "EXAMPLE_CONFIG",
    "AlertsConfig",
    "Config",
    "ConfigError",
    "DetectConfig",
    "SecretRef",
    "load_config",
]
