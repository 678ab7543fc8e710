"""Email cleaning keeps only what the sender wrote (Outlook, Lotus Notes/Enron and Gmail styles)."""

from __future__ import annotations

from nlp import clean_email_text

OUTLOOK_REPLY = """Sounds good, see you at the game on Saturday!

-----Original Message-----
From: Smith, John
Sent: Tuesday, May 08, 2001 10:15 AM
To: Doe, Jane
Subject: RE: tickets

Do you still want the Astros tickets? The budget review moved to Friday.
"""

ENRON_FORWARD = """Thought you'd enjoy this.
---------------------- Forwarded by Steven J Kean/NA/Enron on 05/24/2001
05:18 PM ---------------------------


"Randall Rich" <rrich@bracepatt.com> on 05/24/2001 05:10:19 PM
To: <llawner@enron.com>
cc:
Subject: Fwd: The Answer!

FERC tariff filing attached, please comment by Monday.
"""

LOTUS_REPLY = """I am so sorry. You guys gave him a really good life.




"Robert Kean" <rkean@example.net> on 07/07/2001 01:48:08 PM
Please respond to <rkean@example.net>
To: "Pat Hilleman \\(E-mail\\)" <pat@example.com>, "Greg Smith
\\(E-mail\\)" <greg@example.net>, "Kathy Wedig \\(E-mail\\)"
<kat@example.net>
cc:
Subject: Houston 1996 - 2001

Our dog Houston died this morning.
"""

GMAIL_REPLY = """Congrats on the promotion!!

On Tue, Jun 5, 2001 at 9:12 AM, Ann Lee <ann@example.com> wrote:
> Quarterly numbers are in the deck.
> Please review before the board call.
"""

SIGNATURE = """Please send the revised contract by Thursday.

Thanks,
Jeff Dasovich
Senior Director, Government Affairs
Enron Corp.
(415) 782-7822
jeff.dasovich@enron.com
"""

DASH_SIG = """Lunch tomorrow?
--
Ann Lee | Platform team | +1 555 0100
"""


def test_outlook_original_message_is_removed() -> None:
    out = clean_email_text(OUTLOOK_REPLY)
    assert out == "Sounds good, see you at the game on Saturday!"


def test_enron_forward_block_and_headers_are_removed() -> None:
    out = clean_email_text(ENRON_FORWARD)
    assert out == "Thought you'd enjoy this."
    assert "FERC" not in out and "Subject" not in out


def test_lotus_reply_preamble_with_wrapped_to_line_is_removed() -> None:
    out = clean_email_text(LOTUS_REPLY)
    assert out == "I am so sorry. You guys gave him a really good life."


def test_on_wrote_and_quoted_lines_are_removed() -> None:
    assert clean_email_text(GMAIL_REPLY) == "Congrats on the promotion!!"


def test_sign_off_and_footer_are_removed() -> None:
    assert clean_email_text(SIGNATURE) == "Please send the revised contract by Thursday."


def test_dash_dash_signature_is_removed() -> None:
    assert clean_email_text(DASH_SIG) == "Lunch tomorrow?"


def test_own_text_mentioning_enron_is_kept() -> None:
    text = "How about inserting the attached (after the explanation about the\nrelationship between New Power and Enron)?"
    assert clean_email_text(text) == text


def test_pure_forward_and_quoted_only_are_empty() -> None:
    assert clean_email_text("> only quoted\n> text\n") == ""
    assert (
        clean_email_text("---------------------- Forwarded by A/B on 1/2/2001\nTo: x\ncc:\n") == ""
    )


LOTUS_WRAPPED_STAMP = """Tim

I enjoyed meeting with you too.




"Richards, Tim J (CORP)" <tim@example.com> on 08/02/2000
09:01:46 AM
To: "'rshapiro@example.com'" <rshapiro@example.com>, "'skean@example.com'"
<skean@example.com>
cc: "'Kelshaw, Lisbeth'" <lk@example.com>
Subject: Thank You


Dear Steve and Rick, thank you for inviting me to Houston yesterday.
"""


def test_lotus_preamble_with_date_and_time_on_two_lines_is_removed() -> None:
    assert clean_email_text(LOTUS_WRAPPED_STAMP) == "Tim\n\nI enjoyed meeting with you too."


def test_leftover_reply_stamp_is_removed_but_own_times_and_addresses_stay() -> None:
    assert clean_email_text("yes, send to dennis\n\n\n04/10/2001 11:33 AM\n") == (
        "yes, send to dennis"
    )
    assert clean_email_text("We meet at 10:30 AM") == "We meet at 10:30 AM"
    assert clean_email_text("Send it to bob@example.com") == "Send it to bob@example.com"
