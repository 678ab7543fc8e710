"""The measures behind the ordinary-life fixes, one by one, each beside the fraud it must still see."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from commsignal.analysis.attended import GAP_LOCKED_S, longest_attended
from commsignal.analysis.hour_profile import quiet_run
from commsignal.analysis.location import country_code, locates_person
from commsignal.detect import evaluate_rule, load_rules
from commsignal.detect.scoring import Weighted, composite

H = 3600.0


def ts(day: int, hour: float) -> float:
    return datetime(2026, 11, day, tzinfo=UTC).timestamp() + hour * H


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("US", "US"),
        ("us", "US"),
        ("United States", "US"),
        ("United Kingdom", "GB"),
        ("GBR", "GB"),
        ("Korea, Republic of", "KR"),
        ("South Korea", "KR"),
        ("Philippines", "PH"),
        ("Atlantis", "ATLANTIS"),
        ("", None),
        (None, None),
    ],
)
def test_country_code(raw: str | None, code: str | None) -> None:
    assert country_code(raw) == code


def test_token_refreshes_and_crowd_addresses_locate_nobody() -> None:
    crowd = frozenset({"52.14.8.1"})
    assert locates_person("73.12.50.9", True, crowd)
    assert locates_person("73.12.50.9", None, crowd)  # a log that does not say: a person
    assert not locates_person("73.12.50.9", False, crowd)  # a desktop left running at home
    assert not locates_person("52.14.8.1", True, crowd)  # the corporate VPN, geolocated at HQ


def test_an_identity_provider_session_needs_dense_activity_to_be_attended() -> None:
    # an Okta session that never ends; a parent's messages until 22:00, then 00:30, 03:00, 05:30
    start, stop = ts(16, 8), ts(20, 18)
    evidence = sorted(
        [ts(d, h) for d in range(16, 21) for h in (8.2, 10, 12, 14, 16, 18, 20, 22)]
        + [ts(d, h) for d in range(17, 21) for h in (0.5, 3.0, 5.5)]
    )
    console = longest_attended(start, stop, [(start, stop)], evidence)
    idp = longest_attended(start, stop, [(start, stop)], evidence, GAP_LOCKED_S)
    assert console.seconds / H > 24 and idp.seconds / H < 24
    # a shift account on the same IdP session keeps activity arriving every 20-40 minutes
    shifts = [start + k * 0.5 * H for k in range(int((stop - start) / (0.5 * H)))]
    assert longest_attended(start, stop, [(start, stop)], shifts, GAP_LOCKED_S).seconds / H > 72


def test_quiet_run_is_the_sleep() -> None:
    hist = [0] * 24
    for h in (1, 2, 3, 4, 5, 6, 7, 15, 16, 20, 22):
        hist[h] = 10
    hist[10] = 1  # one glance at the phone does not split the night
    assert quiet_run(hist) == (8, 7)
    assert quiet_run([5] * 24) is None  # round the clock: no sleep at all
    assert quiet_run([0] * 24) is None


def _off(**extra: object) -> dict[str, object]:
    base: dict[str, object] = {
        "offset_diff_h": 8.0,
        "fit_offset_h": 10,
        "fit_share": 0.86,
        "declared_share": 0.175,
        "declared_tz": "America/Chicago",
        "declared_offset_h": -6.0,
        "activity_events": 140,
        "history_weeks": 2,
        "history_off_weeks": 2,
        "declared_recently": True,
    }
    base.update(extra)
    return base


def test_evening_heavy_person_stays_low_but_foreign_sleep_does_not() -> None:
    rule = {r.id: r for r in load_rules()}["off_timezone"]
    home = evaluate_rule(rule, _off(quiet_hours_utc=[8, 7], quiet_mid_local_h=5.5))
    # the worker in Korea sleeps 23-07 KST: 08-16 on the Chicago clock
    abroad = evaluate_rule(rule, _off(quiet_hours_utc=[14, 8], quiet_mid_local_h=12.0))
    assert home is not None and abroad is not None
    assert composite([Weighted(home.score, rule.weight, True)]) < 40
    assert composite([Weighted(abroad.score, rule.weight, True)]) >= 40
    assert "night's sleep in the declared zone" in home.summary
    assert "night's sleep" not in abroad.summary
