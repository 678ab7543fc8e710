"""Pins the small-talk scorer's behaviour on hand-written chat messages."""

from __future__ import annotations

import pytest

from nlp import CUE_CATEGORIES, MessageFeatures, SmallTalkScorer
from nlp.email_model import email_features
from nlp.features import PLEASANTRY_CATEGORIES, SMALL_TALK_CATEGORIES
from nlp.scorer import rule_logit


@pytest.fixture(scope="module")
def scorer() -> SmallTalkScorer:
    return SmallTalkScorer()


CATEGORY_EXAMPLES = {
    "family": "my daughter started kindergarten today",
    "weekend": "finally a long weekend",
    "holidays": "what are you doing for thanksgiving",
    "food": "that ramen place downtown is amazing",
    "sport": "the astros won in overtime",
    "weather": "it's freezing out there",
    "pets": "our new puppy chewed my shoes",
    "hobbies": "just finished the season finale, no spoilers",
    "travel": "back from a week in hawaii",
    "health": "I caught a cold, feeling awful",
    "celebrations": "happy birthday Maria!",
    "personal_question": "how have you been?",
    "humour": "hahahaha brilliant",
    "emoji": "see you there 🎉",
}


def test_cue_categories_cover_smalltalk_and_pleasantries() -> None:
    assert set(CUE_CATEGORIES) == set(SMALL_TALK_CATEGORIES) | set(PLEASANTRY_CATEGORIES)
    assert set(CATEGORY_EXAMPLES) == set(SMALL_TALK_CATEGORIES)


@pytest.mark.parametrize("category", sorted(CATEGORY_EXAMPLES))
def test_each_category_is_detected(scorer: SmallTalkScorer, category: str) -> None:
    f = scorer.score(CATEGORY_EXAMPLES[category])
    assert category in f.cues
    assert f.cues == tuple(sorted(f.cues))


@pytest.mark.parametrize("category", sorted(set(CATEGORY_EXAMPLES) - {"emoji", "travel"}))
def test_one_topical_cue_is_enough_for_small_talk(scorer: SmallTalkScorer, category: str) -> None:
    assert scorer.score(CATEGORY_EXAMPLES[category]).is_small_talk


def test_weak_cues_alone_are_not_enough(scorer: SmallTalkScorer) -> None:
    # An emoji is often an acknowledgement and travel is often a business trip.
    assert not scorer.score(CATEGORY_EXAMPLES["emoji"]).is_small_talk
    assert not scorer.score(CATEGORY_EXAMPLES["travel"]).is_small_talk
    assert scorer.score("back from a week in hawaii, the beach was amazing").is_small_talk


@pytest.mark.parametrize(
    "text",
    [
        "thanks, merged",
        "good morning!",
        "thanks!",
        "hi all",
        "bye, see you tomorrow",
        "how are you doing?",
        "thanks :)",
        "cheers, have a good evening",
        "great job on the release notes",
        "good luck with the audit tomorrow",
        "sorry to hear the migration failed",
    ],
)
def test_pleasantries_alone_are_not_small_talk(scorer: SmallTalkScorer, text: str) -> None:
    f = scorer.score(text)
    assert f.is_pleasantry
    assert not f.is_small_talk
    assert f.small_talk < 0.5


@pytest.mark.parametrize(
    "text",
    [
        "how was your weekend? did the kids enjoy the beach?",
        "how are the kids?",
        "happy friday! :tada: any plans?",
        "lol the dog stole my sandwich again 😂",
        "enjoy your vacation!",
        "did you see the game last night?",
    ],
)
def test_small_talk_examples(scorer: SmallTalkScorer, text: str) -> None:
    f = scorer.score(text)
    assert f.is_small_talk
    assert f.small_talk >= 0.5


@pytest.mark.parametrize(
    "text",
    [
        "can you review PR 1234 before the meeting?",
        "Deployed v2.3.1 to staging, see https://ci.example.com/build/42",
        "sudo apt-get install gparted, then reboot",
        "ok",
        "the invoice for Q3 is attached, please approve",
        "ETA on the migration?",
    ],
)
def test_work_messages_are_not_small_talk(scorer: SmallTalkScorer, text: str) -> None:
    f = scorer.score(text)
    assert not f.is_small_talk
    assert f.small_talk < 0.3


def test_task_talk_outweighs_a_stray_cue(scorer: SmallTalkScorer) -> None:
    stray = scorer.score("deploy the hotfix to the server over the weekend, logs in /var/log/app/")
    assert not stray.is_small_talk
    assert "weekend" in stray.cues


def test_questions(scorer: SmallTalkScorer) -> None:
    assert scorer.score("is the build green").is_question
    assert scorer.score("build is green?").is_question
    assert not scorer.score("the build is green").is_question


def test_mentions(scorer: SmallTalkScorer) -> None:
    assert scorer.score("<@U024BE7LH> and @ann please look").mentions == 2
    assert scorer.score("<@U024BE7LH|ann> thanks").mentions == 1
    assert scorer.score("mail me at ann@example.com").mentions == 0
    irc = scorer.score("int256: was this using gparted or gpart?")
    assert irc.mentions == 1
    assert irc.n_tokens == 7  # the address is not content
    assert scorer.score("note: the build is red").mentions == 0


def test_score_many_equals_score(scorer: SmallTalkScorer) -> None:
    texts = [*CATEGORY_EXAMPLES.values(), "thanks, merged", "", "int256: sudo reboot", "🎉🎉"]
    assert list(scorer.score_many(iter(texts), batch_size=3)) == [scorer.score(t) for t in texts]


def test_features_are_frozen_and_serialisable(scorer: SmallTalkScorer) -> None:
    f = scorer.score("how are the kids?")
    assert isinstance(f, MessageFeatures)
    with pytest.raises(AttributeError):
        f.small_talk = 0.0  # type: ignore[misc]
    assert f == f._replace() and hash(f) == hash(f._replace())  # a value, usable as a key
    d = f.as_dict()
    assert d["cues"] == list(f.cues) and d["is_small_talk"] is True


def test_threshold_is_respected() -> None:
    strict = SmallTalkScorer(threshold=0.99, use_textcat=False)
    f = strict.score("finally a long weekend")
    assert 0.5 < f.small_talk < 0.99
    assert not f.is_small_talk


def test_build_needs_no_model_download(monkeypatch: pytest.MonkeyPatch) -> None:
    """The scorer is spacy.blank plus shipped files; its build time is measured by `make bench`."""
    from pathlib import Path

    import spacy

    import nlp

    shipped = Path(nlp.__file__).resolve().parent
    real_load = spacy.load
    loaded: list[Path] = []

    def only_shipped(name: object, *args: object, **kwargs: object) -> object:
        path = Path(str(name)).resolve()
        assert path.is_relative_to(shipped), f"the scorer loaded {name}, not a shipped model"
        loaded.append(path)
        return real_load(path, *args, **kwargs)  # type: ignore[arg-type]

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the scorer must not download a spaCy model")

    monkeypatch.setattr(spacy, "load", only_shipped)
    monkeypatch.setattr(spacy.cli, "download", refuse, raising=False)
    assert SmallTalkScorer().score("hi there, how was your weekend?").is_small_talk


def test_whitespace_only_text_does_not_crash(scorer: SmallTalkScorer) -> None:
    # Used to raise IndexError: the tokenizer yields a SPACE token but str.split() is empty.
    for text in (" ", "\n\t ", "  \n"):
        f = scorer.score(text)
        assert not f.is_small_talk and not f.is_question


def test_cache_returns_the_same_features_as_a_fresh_score() -> None:
    cached = SmallTalkScorer(cache_size=4)
    plain = SmallTalkScorer(cache_size=0)
    texts = ["thanks!", "how are the kids?", "thanks!", "lgtm", "a", "b", "c", "thanks!"] * 3
    assert list(cached.score_many(texts)) == [plain.score(t) for t in texts]
    assert len(cached._cache) <= 4  # bounded
    long_text = "how was your weekend? " * 20
    cached.score(long_text)
    assert all(k[1] <= 280 for k in cached._cache)  # long texts are not cached


def test_cache_holds_no_text() -> None:
    s = SmallTalkScorer()
    s.score("my daughter started kindergarten today")
    assert all(isinstance(k, tuple) and all(isinstance(x, int) for x in k) for k in s._cache)


EMAIL_THREAD = """I am so sorry. You guys gave him a really good life!

"Robert Smith" <rsmith@aol.com> on 07/07/2001 01:48:08 PM
To: "Pat Jones" <pat@yahoo.com>, "Kathy Wedig" <kat@hotmail.com>
cc:
Subject: Houston 1996 - 2001

Our dog Houston died this morning.
"""

WORK_THREAD = """Please revise the tariff filing per FERC comments.

-----Original Message-----
From: Doe, Jane
Sent: Tuesday, May 08, 2001 10:15 AM
To: Smith, John
Subject: RE: tariff

The ISO settlement data and the transmission contract are attached; please review the draft
before the commission hearing.
"""


def test_score_email_uses_the_thread(scorer: SmallTalkScorer) -> None:
    social = scorer.score_email("Re: Houston 1996 - 2001", EMAIL_THREAD)
    work = scorer.score_email("RE: tariff", WORK_THREAD)
    assert social.is_small_talk and not work.is_small_talk
    assert social.small_talk > work.small_talk
    # Cue fields describe the sender's own words only.
    assert (
        social.n_tokens
        == scorer.score("Houston 1996 - 2001\n" + EMAIL_THREAD.split("\n")[0]).n_tokens
    )
    assert list(scorer.score_emails([("Re: Houston 1996 - 2001", EMAIL_THREAD)])) == [social]


def test_score_email_without_model_is_the_text_score() -> None:
    rules = SmallTalkScorer(use_textcat=False)
    assert rules.email_model is None
    assert rules.score_email("RE: tariff", WORK_THREAD) == rules.score(
        "tariff\nPlease revise the tariff filing per FERC comments."
    )


def test_changing_the_threshold_does_not_reuse_stale_results() -> None:
    s = SmallTalkScorer(use_textcat=False)
    assert s.score("finally a long weekend").is_small_talk
    s.threshold = 0.99
    assert not s.score("finally a long weekend").is_small_talk


def _email_feats(scorer: SmallTalkScorer, subject: str, body: str) -> dict[str, float]:
    return email_features(subject, body, scorer.count_cues, rule_logit)


def test_email_shape_features(scorer: SmallTalkScorer) -> None:
    link = _email_feats(scorer, "", "http://www.example.org/cottages\n")
    assert link["link_only"] == 1.0
    assert _email_feats(scorer, "", "See http://example.org for the filing.")["link_only"] == 0.0
    photos = "enjoy!\n\nFrom: A\nTo: B\nSubject: pics\n\n - beach.jpg\n - ouch.GIF\n"
    assert _email_feats(scorer, "Fwd: pics", photos)["media_forward"] == 1.0
    card = "Thank you\n\nHello! ann has just sent you an Egreetings card!\n"
    assert _email_feats(scorer, "Re: 40th Birthday", card)["greeting_card"] == 1.0
    plain = _email_feats(scorer, "RE: tariff", WORK_THREAD)
    assert plain["link_only"] == plain["media_forward"] == plain["greeting_card"] == 0.0
    # The shipped model counts a forwarded album of pictures towards social, not against.
    model = scorer.email_model
    assert model is not None
    assert model.weights[model.features.index("media_forward")] > 0


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("great job on the release notes", "appreciation"),
        ("well done, team", "appreciation"),
        ("I enjoyed the offsite", "appreciation"),
        ("thanks, merged", "thanks"),
        ("bye, see you tomorrow", "farewell"),
        ("good morning!", "greeting"),
    ],
)
def test_each_pleasantry_category(scorer: SmallTalkScorer, text: str, category: str) -> None:
    f = scorer.score(text)
    assert category in f.cues and f.is_pleasantry
