"""Composite risk: strong signals combine, weak ones only corroborate."""

from __future__ import annotations

from commsignal.detect.scoring import Weighted, composite, level


def test_one_very_strong_signal_is_high() -> None:
    assert level(composite([Weighted(1.0, 0.9, True)])) == "high"


def test_weak_signals_alone_stay_low() -> None:
    weak = [Weighted(1.0, 0.06, False)] * 5
    assert level(composite(weak)) == "low"


def test_weak_signals_add_to_strong_but_capped() -> None:
    strong = Weighted(1.0, 0.55, True)
    alone = composite([strong])
    with_weak = composite([strong] + [Weighted(1.0, 0.06, False)] * 10)
    assert alone < with_weak <= alone + 12
    assert level(with_weak) != "high"


def test_two_strong_signals_combine() -> None:
    a, b = Weighted(0.8, 0.7, True), Weighted(0.8, 0.5, True)
    assert composite([a, b]) > max(composite([a]), composite([b]))
    assert composite([a, b]) <= 100


def test_levels() -> None:
    assert (
        level(70) == "high"
        and level(69) == "medium"
        and level(40) == "medium"
        and level(39) == "low"
    )
