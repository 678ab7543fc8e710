"""Loads the versioned cue lexicon shipped in ``nlp/lexicons/``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from nlp.features import PLEASANTRY_CATEGORIES, SMALL_TALK_CATEGORIES

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"
DEFAULT_LEXICON = LEXICON_DIR / "smalltalk_en.toml"


@dataclass(frozen=True)
class Lexicon:
    """Cue phrases per category, plus task terms that count against small talk."""

    version: str
    phrases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    task_terms: tuple[str, ...] = ()


def _expand_templates(templates: list[str], slots: list[str]) -> list[str]:
    """Fills every ``{x}`` template with every slot value, so the TOML stays short."""
    return [t.format(x=s) for t in templates for s in slots]


def _clean(terms: list[str]) -> tuple[str, ...]:
    """Lower-cases, strips and de-duplicates while keeping the author's order."""
    seen: dict[str, None] = {}
    for term in terms:
        t = " ".join(term.lower().split())
        if t:
            seen.setdefault(t, None)
    return tuple(seen)


@lru_cache(maxsize=8)
def load_lexicon(path: Path = DEFAULT_LEXICON) -> Lexicon:
    """Reads and validates a lexicon file (cached: the file is immutable at run time).

    Args:
        path: A TOML file with ``version``, ``[smalltalk]``, ``[personal_question]``,
            ``[pleasantry]`` and ``[task]`` tables.

    Returns:
        The parsed lexicon with one phrase tuple per cue category.

    Raises:
        ValueError: If the file lacks a version or a category.
    """
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    version = raw.get("version")
    if not isinstance(version, str) or not version:
        raise ValueError(f"{path}: missing string key 'version'")
    phrases: dict[str, tuple[str, ...]] = {}
    smalltalk = raw.get("smalltalk", {})
    pq = raw.get("personal_question", {})
    pleasantry = raw.get("pleasantry", {})
    for cat in SMALL_TALK_CATEGORIES:
        if cat == "personal_question":
            terms = list(pq.get("phrases", []))
            terms += _expand_templates(pq.get("templates", []), pq.get("slots", []))
        else:
            terms = list(smalltalk.get(cat, []))
        if not terms:
            raise ValueError(f"{path}: category {cat!r} is empty or missing")
        phrases[cat] = _clean(terms)
    for cat in PLEASANTRY_CATEGORIES:
        terms = list(pleasantry.get(cat, []))
        if not terms:
            raise ValueError(f"{path}: pleasantry category {cat!r} is empty or missing")
        phrases[cat] = _clean(terms)
    task = _clean(list(raw.get("task", {}).get("terms", [])))
    return Lexicon(version=version, phrases=phrases, task_terms=task)
