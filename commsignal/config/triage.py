"""The `[triage]` section and `[[allow]]` entries: how long benign verdicts last and what is sanctioned."""

from __future__ import annotations

from datetime import date

from pydantic import Field, field_validator, model_validator

from commsignal.config.base import _Model, check_cidrs


class TriageConfig(_Model):
    """How analyst verdicts act on later digests."""

    benign_weeks: int = Field(
        4,
        ge=1,
        le=52,
        description="Weeks a benign verdict suppresses its rule for that person when no --until is given.",
    )
    return_margin: float = Field(
        0.15,
        gt=0,
        le=1,
        description="A suppressed finding comes back when its score rises by at least this much (0-1 scale).",
    )
    history_weeks: int = Field(
        8, ge=2, le=26, description="Weeks of risk history shown per person in the digest."
    )


class AllowEntry(_Model):
    """One sanctioned exception: what it covers, for which rules, why, and until when."""

    rules: list[str] = Field(
        ..., min_length=1, description='Rule ids this entry applies to; ["*"] for every rule.'
    )
    devices: list[str] = Field(
        default_factory=list, description="Device names or ids; shell-style globs (VDI-*) allowed."
    )
    cidrs: list[str] = Field(
        default_factory=list, description="Address ranges, e.g. '10.20.0.0/16' (a VPN or office)."
    )
    tools: list[str] = Field(
        default_factory=list, description="Remote-access tools, e.g. 'teamviewer'."
    )
    people: list[str] = Field(
        default_factory=list, description="Pseudonyms (p-...) the entry is limited to."
    )
    teams: list[str] = Field(default_factory=list, description="Teams the entry is limited to.")
    reason: str = Field(
        ..., min_length=3, description="Why this is sanctioned (shown in the digest)."
    )
    expires: date = Field(
        ..., description="Last day the entry applies; expired entries are reported, not applied."
    )

    @field_validator("cidrs")
    @classmethod
    def _cidrs(cls, value: list[str]) -> list[str]:
        return check_cidrs(value, "10.20.0.0/16")

    @field_validator("tools")
    @classmethod
    def _tools(cls, value: list[str]) -> list[str]:
        return [v.strip().lower() for v in value if v.strip()]

    @model_validator(mode="after")
    def _something(self) -> AllowEntry:
        if not (self.devices or self.cidrs or self.tools or self.people or self.teams):
            raise ValueError(
                "an allow entry needs at least one of devices, cidrs, tools, people or teams; "
                "an entry with none would silence the rule for everyone"
            )
        return self
