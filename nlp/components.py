"""spaCy components that mark small-talk, pleasantry and task cues on a blank English pipeline."""

from __future__ import annotations

import re
from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from nlp.lexicon import DEFAULT_LEXICON, load_lexicon

CUES_KEY = "commsignal.cues"
"""``doc.user_data`` key holding a dict of cue category -> hits (plus ``TASK_LABEL``)."""
TASK_LABEL = "_task"
"""Internal label for task-talk evidence; never reported as a cue."""

TEXT_KEY = "commsignal.text"
"""Optional ``doc.user_data`` key with the raw text; saves rebuilding ``doc.text`` token by token."""

# Unicode emoji blocks and Slack-style ":shortcode:" (must start with a letter so "10:30:45"
# does not count). Matched on the raw text because the tokenizer splits ":joy:" into 3 tokens.
# The lookbehinds sit after the leading literal (":(?<!\S:)" = a colon not preceded by a
# non-space) so that the regex engine can jump between colons instead of trying every position.
_SHORTCODE = r":(?<!\S:)[a-z][a-z0-9_+\-]*:"
_EMOJI_RE = re.compile(
    r"[\U0001F300-\U0001FAFF\u2600-\u27BF\u2B50\u2764\u263A]|" + _SHORTCODE, re.IGNORECASE
)
_SHORTCODE_RE = re.compile(_SHORTCODE, re.IGNORECASE)
# Laughter is spelled a hundred ways ("hahahah", "lolol", "lmaooo"); a lexicon cannot list them.
_LAUGH_RE = re.compile(
    r"\b(?:a?h[ae]){2,}h?\b|\blo+l+(?:o+l+)*z?\b|\blmf?a+o+\b|\bro+fl\b|\bhe(?:he)+\b",
    re.IGNORECASE,
)
# Shapes that only task talk has: links, paths, versions, file names, command flags, code.
# Every pattern starts with a literal character and runs only when that character is present:
# these regexes are on the hot path of every chat message.
_SLASH_RE = re.compile(r"/[\w.\-~]+/")
_DOT_RE = re.compile(
    r"\.(?<=\w\.)(?:\d+|(?:py|sh|conf|cfg|ini|txt|deb|rpm|iso|log|exe|dll|so|js|ts|json|xml|"
    r"yaml|yml|html|cpp|tar|gz|bz2|zip|pdf|docx?|xlsx?|pptx?|csv|com|org|net|io)\b)",
    re.IGNORECASE,
)
_FLAG_RE = re.compile(r"-(?<!\S-)-?[a-z]")
_CODE_RE = re.compile(r"`[^`]+`|\$\w+|\w\(\)")


def _task_shape_hits(text: str) -> int:
    """Counts links, paths, versions, file names, flags and code fragments."""
    n = text.count("://")
    if "/" in text:
        n += len(_SLASH_RE.findall(text))
    if "." in text:
        n += len(_DOT_RE.findall(text))
    if "-" in text:
        n += len(_FLAG_RE.findall(text))
    if "`" in text or "$" in text or "()" in text:
        n += len(_CODE_RE.findall(text))
    return n


class CueMatcher:
    """Counts lexicon hits per cue category with one LOWER-attribute PhraseMatcher."""

    def __init__(self, nlp: Language, lexicon_path: str = "") -> None:
        lexicon = load_lexicon(Path(lexicon_path) if lexicon_path else DEFAULT_LEXICON)
        self.lexicon_version = lexicon.version
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._label_of: dict[int, str] = {}
        groups = dict(lexicon.phrases)
        groups[TASK_LABEL] = lexicon.task_terms
        for label, terms in groups.items():
            # make_doc: the patterns must be tokenised exactly like the messages are.
            patterns = [nlp.make_doc(t) for t in terms]
            self.matcher.add(label, patterns)
            self._label_of[nlp.vocab.strings[label]] = label

    def __call__(self, doc: Doc) -> Doc:
        """Stores a dict of category -> hits in ``doc.user_data[CUES_KEY]``."""
        text = doc.user_data.get(TEXT_KEY)
        if text is None:
            text = doc.text
        doc.user_data[CUES_KEY] = self.count(doc, text)
        return doc

    def count(self, doc: Doc, text: str) -> dict[str, int]:
        """Hits per category for a tokenised ``text`` (the scorer's fast path, no user_data)."""
        # Hot path: every chat message comes through here, so the helpers are inlined and
        # each regex runs only behind a cheap substring test.
        label_of = self._label_of
        counts: dict[str, int] = {}
        for match_id, _start, _end in self.matcher(doc):
            label = label_of[match_id]
            counts[label] = counts.get(label, 0) + 1
        if text.isascii():
            # No pictographs in ASCII: only ":codes:" can be there.
            n = len(_SHORTCODE_RE.findall(text)) if ":" in text else 0
        else:
            n = len(_EMOJI_RE.findall(text))
        if n:
            # The lexicon lists common emoji too (some twice, with and without variation
            # selectors); the regex count is the reliable one for pictographs and :codes:.
            counts["emoji"] = n
        low = text.lower()
        if (
            "ha" in low
            and ("hah" in low or "aha" in low)
            or "heh" in low
            or "lol" in low
            or "lmao" in low
            or "lmfao" in low
            or "rofl" in low
        ):
            n = len(_LAUGH_RE.findall(text))
            if n:
                counts["humour"] = counts.get("humour", 0) + n
        n = _task_shape_hits(text)
        if n:
            counts[TASK_LABEL] = counts.get(TASK_LABEL, 0) + n
        return counts


@Language.factory(
    "commsignal_cues",
    default_config={"lexicon_path": ""},
    retokenizes=False,
)
def make_cue_matcher(nlp: Language, name: str, lexicon_path: str) -> CueMatcher:
    """spaCy factory for :class:`CueMatcher` (empty ``lexicon_path`` = the shipped lexicon)."""
    return CueMatcher(nlp, lexicon_path)
