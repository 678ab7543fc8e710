"""Scores chat and email text for social small talk, in memory, returning features only."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import cast

import spacy
from spacy.language import Language

from nlp.components import TASK_LABEL, CueMatcher
from nlp.email_model import EMAIL_MODEL_FILE, EmailModel, email_features, email_text
from nlp.features import PLEASANTRY_CATEGORIES, SMALL_TALK_CATEGORIES, MessageFeatures

MODEL_DIR = Path(__file__).resolve().parent / "models" / "smalltalk_textcat"
TRAINED_ON_FILE = "trained_on.json"
"""Beside the textcat: fingerprints of the labelled emails it learnt from (never their text)."""
TEXTCAT_LABEL = "SOCIAL"
MENTIONS_KEY = "commsignal.mentions"
"""Kept for compatibility; the scorer no longer stores anything in ``doc.user_data``."""
# Short chat repeats a lot ("thanks!", "lgtm", "+1"): results for recent exact repeats are
# reused. Bounded (about 25 MB when full) so memory stays flat on endless streams; long texts
# rarely repeat and are not cached.
CACHE_SIZE = 65536
CACHE_MAX_CHARS = 280

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
    # The colon test is a C-level scan that spares the regex on most messages.
    m = _ADDRESS_RE.match(text) if ":" in text else None
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

    def __init__(
        self, threshold: float = 0.5, use_textcat: bool = True, cache_size: int = CACHE_SIZE
    ) -> None:
        """Builds the pipeline; cheap enough (well under a second) to do per process.

        Args:
            threshold: Probability at or above which a message counts as small talk.
            use_textcat: Also use the shipped text classifier for long (email-like) texts,
                when it is present. Short chat messages always use the rules: they are as
                accurate there and several times faster.
            cache_size: How many recent short messages' results to reuse for exact repeats
                (0 disables the cache).
        """
        self._threshold = threshold
        self.cache_size = cache_size
        self.nlp: Language = spacy.blank("en")
        # Kept in the pipeline so ``scorer.nlp(text)`` still annotates docs for callers that
        # use it; scoring itself calls the tokenizer and the matcher directly (see _score).
        self._cues = cast(CueMatcher, self.nlp.add_pipe("commsignal_cues"))
        self.textcat_enabled = False
        self.textcat_trained_on: frozenset[str] = frozenset()
        """``body_key`` of the reference emails the textcat was trained on (for evaluations)."""
        if use_textcat and (MODEL_DIR / "config.cfg").is_file():
            trained = spacy.load(MODEL_DIR)
            self.nlp.add_pipe("textcat", source=trained)
            self.textcat_enabled = True
            if (MODEL_DIR / TRAINED_ON_FILE).is_file():
                keys = json.loads((MODEL_DIR / TRAINED_ON_FILE).read_text(encoding="utf-8"))
                self.textcat_trained_on = frozenset(keys)
        self._textcat = self.nlp.get_pipe("textcat") if self.textcat_enabled else None
        # The email model follows use_textcat: both are the shipped, trained parts.
        self.email_model: EmailModel | None = None
        if use_textcat and EMAIL_MODEL_FILE.is_file():
            self.email_model = EmailModel.from_json(EMAIL_MODEL_FILE)
        self._tokenizer = self.nlp.tokenizer
        self._cache: dict[tuple[int, int], MessageFeatures] = {}

    @property
    def threshold(self) -> float:
        """Probability at or above which a message counts as small talk."""
        return self._threshold

    @threshold.setter
    def threshold(self, value: float) -> None:
        # Cached results carry is_small_talk for the old threshold.
        self._threshold = value
        self._cache.clear()

    @property
    def lexicon_version(self) -> str:
        """Version string of the cue lexicon in use (store it next to the features)."""
        return self._cues.lexicon_version

    def clear_cache(self) -> None:
        """Forgets cached results (benchmarks call it so warm-up runs do not pre-fill it)."""
        self._cache.clear()

    def _score(self, text: str) -> MessageFeatures:
        """Scores one message without the cache: tokenizer + matcher, no pipeline machinery."""
        if ":" in text or "@" in text:
            content, mentions = split_address(text)
        else:  # no address and no mention possible: skip the call
            content, mentions = text, 0
        doc = self._tokenizer(content)
        counts = self._cues.count(doc, content)
        n_tokens = len(doc)
        if counts:
            z = rule_logit(counts, n_tokens)
            cues = sorted(counts)
            if TASK_LABEL in counts:
                cues.remove(TASK_LABEL)
            is_pleasantry = not _PLEASANTRY.isdisjoint(counts)
        else:  # rule_logit of no evidence at all
            z, cues, is_pleasantry = BIAS, [], False
        if self._textcat is not None and n_tokens >= TEXTCAT_MIN_TOKENS:
            p_model = self._textcat(doc).cats.get(TEXTCAT_LABEL, 0.0)
            z = 0.5 * z + _logit(p_model)
        p = _sigmoid(z)
        if "?" in content:
            is_question = True
        elif 0 < n_tokens <= 25:
            # split() is empty for whitespace-only text (which still yields a SPACE token).
            first = content.split(None, 1)
            is_question = bool(first) and first[0].lower() in _QUESTION_STARTS
        else:
            is_question = False
        # Positional: keyword arguments cost a third more on this hot path (declared order).
        return MessageFeatures(
            p, p >= self._threshold, tuple(cues), is_pleasantry, n_tokens, is_question, mentions
        )

    def count_cues(self, text: str) -> tuple[dict[str, int], int]:
        """Cue hits per category (task hits under ``TASK_LABEL``) and the token count."""
        doc = self._tokenizer(text)
        return self._cues.count(doc, text), len(doc)

    def score_email(self, subject: str, body: str) -> MessageFeatures:
        """Scores one email from its subject and raw body (quoted and forwarded parts included).

        The cue fields describe the sender's own words (``clean_email_text``); ``small_talk``
        comes from the email model, which also reads the thread (see ``nlp.email_model``).
        Without the shipped email model this equals ``score(email_text(subject, body))``.

        Args:
            subject: The subject line (``Re:``/``Fwd:`` prefixes are dropped).
            body: The raw body.

        Returns:
            The email's features; neither text is kept.
        """
        base = self._score(email_text(subject, body))
        if self.email_model is None:
            return base
        feats = email_features(subject, body, self.count_cues, rule_logit)
        p = _sigmoid(self.email_model.logit(feats))
        return base._replace(small_talk=p, is_small_talk=p >= self._threshold)

    def score_emails(self, emails: Iterable[tuple[str, str]]) -> Iterator[MessageFeatures]:
        """Streams :meth:`score_email` over (subject, body) pairs, in input order."""
        for subject, body in emails:
            yield self.score_email(subject, body)

    def score(self, text: str) -> MessageFeatures:
        """Scores one message.

        Args:
            text: Raw chat message or subject + cleaned email body.

        Returns:
            The message's features; the text is not kept.
        """
        if len(text) > CACHE_MAX_CHARS or not self.cache_size:
            return self._score(text)
        # Keyed by (hash, length), not by the text, so the cache never holds message text;
        # a wrong hit needs two different texts of equal length with one 64-bit hash.
        key = (hash(text), len(text))
        cache = self._cache
        hit = cache.pop(key, None)
        if hit is None:
            hit = self._score(text)
            if len(cache) >= self.cache_size:
                del cache[next(iter(cache))]  # dicts keep insertion order: oldest first
        cache[key] = hit  # (re-)inserted last, so the dict's order is least recently used first
        return hit

    def score_many(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[MessageFeatures]:
        """Streams features for many messages, in input order, with one process.

        Args:
            texts: Any iterable of messages; consumed lazily.
            batch_size: Kept for API compatibility; scoring is per message (no batching gain:
                the tokenizer and matcher work per doc, and streaming keeps memory flat).

        Yields:
            One :class:`MessageFeatures` per input text.
        """
        # n_process stays 1: spaCy's multiprocessing pickles every Doc back to the parent,
        # which is 30-80x slower than the work itself for short chat messages.
        score = self.score
        for text in texts:
            yield score(text)
