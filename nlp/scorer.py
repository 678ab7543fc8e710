"""Scores chat and email text for social small talk, in memory, returning features only."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from nlp import components as _components  # noqa: F401  (registers the spaCy factory)
from nlp.components import CUES_KEY, TASK_LABEL, TEXT_KEY
from nlp.features import PLEASANTRY_CATEGORIES, SMALL_TALK_CATEGORIES, MessageFeatures

MODEL_DIR = Path(__file__).resolve().parent / "models" / "smalltalk_textcat"
TEXTCAT_LABEL = "SOCIAL"
MENTIONS_KEY = "commsignal.mentions"

# Rule weights (log-odds). A message with no cue sits at BIAS (p ~ 0.12). One topical cue
# (family, food, sport ...) lifts it just over 0.5; a personal question or laughter is strong
# on its own; an emoji alone is not (":+1:" is an acknowledgement). Pleasantries add a little
# but can never reach the threshold alone, so "thanks!" / "good morning" stay below it.
BIAS = -2.0
CATEGORY_WEIGHT: dict[str, float] = {c: 2.2 for c in SMALL_TALK_CATEGORIES}
# travel is weaker: business trips and hotels are everyday work logistics.
CATEGORY_WEIGHT.update({"personal_question": 3.0, "humour": 2.3, "emoji": 1.3, "travel": 1.8})
EXTRA_HIT_WEIGHT = 0.3
PLEASANTRY_WEIGHT = 0.5
TASK_WEIGHT = 1.0
MAX_TASK_HITS = 6
LONG_TEXT_TOKENS = 60
# Messages longer than this get the statistical model too (when enabled): long texts are where
# the rules see mixed evidence, and where the model's per-message cost matters least.
TEXTCAT_MIN_TOKENS = 25

# "@ann", Slack "<@U024BE7LH>" / "<@U024BE7LH|ann>"; the e-mail-address case is excluded.
_MENTION_RE = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>|(?<![\w.])@[A-Za-z][\w.\-]*")
# IRC/Slack habit of addressing someone with "nick: ..." at the start of a line.
_ADDRESS_RE = re.compile(r"^\s*([^\s:<>]{2,30}):\s+")
_NOT_A_NICK = frozenset(
    [
        "note",
        "fyi",
        "re",
        "fw",
        "fwd",
        "ps",
        "btw",
        "edit",
        "update",
        "question",
        "answer",
        "todo",
        "warning",
        "error",
        "tip",
        "eta",
        "status",
        "subject",
        "to",
        "from",
        "cc",
        "date",
        "sent",
        "hint",
        "example",
        "problem",
        "issue",
        "reason",
        "result",
        "output",
        "http",
        "https",
        "lol",
        "haha",
        "ok",
        "also",
        "and",
        "but",
        "so",
        "well",
    ]
)
_PLEASANTRY = frozenset(PLEASANTRY_CATEGORIES)
_QUESTION_STARTS = frozenset(
    [
        "how",
        "what",
        "why",
        "when",
        "where",
        "who",
        "whom",
        "whose",
        "which",
        "do",
        "does",
        "did",
        "are",
        "is",
        "was",
        "were",
        "can",
        "could",
        "would",
        "will",
        "should",
        "shall",
        "have",
        "has",
        "anyone",
        "anybody",
        "any",
    ]
)


def _sigmoid(z: float) -> float:
    """Numerically safe logistic function."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _logit(p: float) -> float:
    """Inverse of the logistic function, clipped so 0/1 probabilities stay finite."""
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def split_address(text: str) -> tuple[str, int]:
    """Separates a leading ``nick:`` address from the content and counts all mentions.

    Args:
        text: One raw message.

    Returns:
        The text without the leading address, and the number of mentions found.
    """
    mentions = 0
    m = _ADDRESS_RE.match(text)
    if m and m.group(1).lower() not in _NOT_A_NICK and "/" not in m.group(1):
        text = text[m.end() :]
        mentions = 1
    if "@" in text:
        mentions += len(_MENTION_RE.findall(text))
    return text, mentions


def rule_logit(counts: dict[str, int], n_tokens: int) -> float:
    """Combines cue counts into small-talk log-odds (the documented, tunable rule model).

    Args:
        counts: Hits per cue category, plus task-talk hits under ``TASK_LABEL``.
        n_tokens: Message length in tokens.

    Returns:
        Log-odds that the message is small talk.
    """
    cue = 0.0
    hits = 0
    pleasantry = False
    for cat, n in counts.items():
        weight = CATEGORY_WEIGHT.get(cat)
        if weight is not None:
            cue += weight
            hits += n - 1
        elif cat in _PLEASANTRY:
            pleasantry = True
    cue += EXTRA_HIT_WEIGHT * min(hits, 4)
    # A long text (newsletter, forwarded article) collects topical words by chance, so its
    # cue evidence is discounted with length instead of adding up.
    if n_tokens > LONG_TEXT_TOKENS:
        cue *= math.sqrt(LONG_TEXT_TOKENS / n_tokens)
    z = BIAS + cue
    if pleasantry:
        z += PLEASANTRY_WEIGHT
    z -= TASK_WEIGHT * min(counts.get(TASK_LABEL, 0), MAX_TASK_HITS)
    return z


class SmallTalkScorer:
    """Blank-English spaCy pipeline + cue lexicon (+ optional shipped textcat for long texts)."""

    def __init__(self, threshold: float = 0.5, use_textcat: bool = True) -> None:
        """Builds the pipeline; cheap enough (well under a second) to do per process.

        Args:
            threshold: Probability at or above which a message counts as small talk.
            use_textcat: Also use the shipped text classifier for long (email-like) texts,
                when it is present. Short chat messages always use the rules: they are as
                accurate there and several times faster.
        """
        self.threshold = threshold
        self.nlp: Language = spacy.blank("en")
        self.nlp.add_pipe("commsignal_cues")
        self.textcat_enabled = False
        if use_textcat and (MODEL_DIR / "config.cfg").is_file():
            trained = spacy.load(MODEL_DIR)
            self.nlp.add_pipe("textcat", source=trained)
            self.textcat_enabled = True
        self._textcat = self.nlp.get_pipe("textcat") if self.textcat_enabled else None
        # Disabled in pipe(): it is applied only to long docs, in _features().
        self._pipe_disable = ["textcat"] if self.textcat_enabled else []
        self._make = self.nlp.make_doc

    @property
    def lexicon_version(self) -> str:
        """Version string of the cue lexicon in use (store it next to the features)."""
        return str(getattr(self.nlp.get_pipe("commsignal_cues"), "lexicon_version", ""))

    def _features(self, doc: Doc) -> MessageFeatures:
        """Turns an annotated doc into the stored feature row."""
        user_data = doc.user_data
        counts: dict[str, int] = user_data[CUES_KEY]
        text: str = user_data[TEXT_KEY]
        n_tokens = len(doc)
        z = rule_logit(counts, n_tokens)
        if self._textcat is not None and n_tokens >= TEXTCAT_MIN_TOKENS:
            p_model = self._textcat(doc).cats.get(TEXTCAT_LABEL, 0.0)
            z = 0.5 * z + _logit(p_model)
        p = _sigmoid(z)
        if counts:
            cues = tuple(sorted(c for c in counts if c != TASK_LABEL))
            is_pleasantry = not _PLEASANTRY.isdisjoint(counts)
        else:
            cues, is_pleasantry = (), False
        is_question = "?" in text or (
            0 < n_tokens <= 25 and text.split(None, 1)[0].lower() in _QUESTION_STARTS
        )
        return MessageFeatures(
            small_talk=p,
            is_small_talk=p >= self.threshold,
            cues=cues,
            is_pleasantry=is_pleasantry,
            n_tokens=n_tokens,
            is_question=is_question,
            mentions=user_data[MENTIONS_KEY],
        )

    def _make_doc(self, text: str) -> Doc:
        """Tokenises the content and keeps the raw text and mention count on the doc."""
        content, mentions = split_address(text)
        doc = self._make(content)
        user_data = doc.user_data
        user_data[TEXT_KEY] = content
        user_data[MENTIONS_KEY] = mentions
        return doc

    def score(self, text: str) -> MessageFeatures:
        """Scores one message.

        Args:
            text: Raw chat message or subject + cleaned email body.

        Returns:
            The message's features; the text is not kept.
        """
        doc = self.nlp(self._make_doc(text), disable=self._pipe_disable)
        return self._features(doc)

    def score_many(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[MessageFeatures]:
        """Streams features for many messages, in input order, with one process.

        Args:
            texts: Any iterable of messages; consumed lazily.
            batch_size: Messages per ``nlp.pipe`` batch.

        Yields:
            One :class:`MessageFeatures` per input text.
        """
        # n_process stays 1: spaCy's multiprocessing pickles every Doc back to the parent,
        # which is 30-80x slower than the work itself for short chat messages.
        make_doc = self._make_doc
        docs = self.nlp.pipe(
            (make_doc(t) for t in texts), batch_size=batch_size, disable=self._pipe_disable
        )
        features = self._features
        for doc in docs:
            yield features(doc)
