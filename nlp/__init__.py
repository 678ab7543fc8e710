"""commsignal NLP: small-talk cue scoring of chat and email text (features only, no text kept)."""

from __future__ import annotations

from nlp.email_clean import clean_email_text
from nlp.features import CUE_CATEGORIES, MessageFeatures
from nlp.scorer import SmallTalkScorer

__all__ = ["CUE_CATEGORIES", "MessageFeatures", "SmallTalkScorer", "clean_email_text"]
