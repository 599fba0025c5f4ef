"""Reading inbound email (contacts/capture/parsing.py, classify.py), without the database: each
real-shaped message's sender, subject, date, forwarded message and invitation; the dates mail
clients write above a forward; HTML bodies as text; thank-yous; and, fuzzed, that no input
makes the parser raise."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from contacts.capture.classify import classify, says_thanks
from contacts.capture.mime import html_to_text
from contacts.capture.models import Direction
from contacts.capture.parsing import new_text, parse, strip_prefixes
from contacts.capture.services import token_from_recipient
from tests.contacts.capture_helpers import ALL, JANE, TOKEN, eml

OWN = {"alice@example.edu"}
DOMAIN = "capture.example.edu"
EST = dt.timezone(dt.timedelta(hours=-5))


def _capture(name: str):
    return classify(parse(eml(name)), own=OWN, domain=DOMAIN)


def test_a_gmail_intro_sent_with_the_address_in_bcc():
    parsed = parse(eml("gmail_bcc_intro.eml"))
    assert parsed.letter.sender.email == "alice@example.edu"
    assert parsed.forwarded is None
    assert parsed.invitations == ()
    capture = _capture("gmail_bcc_intro.eml")
    assert capture.direction == Direction.SENT
    assert [a.email for a in capture.counterparts] == [JANE]
    assert capture.date == dt.datetime(2026, 12, 7, 16, 3, 11, tzinfo=EST)
    assert not capture.is_reply
    assert not capture.thanks  # "Thanks," is a sign-off


@pytest.mark.parametrize("name", ["gmail_forward_reply.eml", "outlook_forward_reply.eml"])
def test_a_forwarded_reply_is_the_contacts_message(name):
    parsed = parse(eml(name))
    assert parsed.forwarded.sender.email == JANE
    assert parsed.forwarded.date == dt.datetime(2026, 12, 8, 9, 12)  # naive: the reader's zone
    assert parsed.forwarded.text.startswith("Hi Alice,")
    assert "Alice" not in parsed.forwarded.text.split("Best,")[1].replace("Jane", "")
    capture = _capture(name)
    assert capture.direction == Direction.RECEIVED
    assert [a.email for a in capture.counterparts] == [JANE]
    assert capture.subject == "Would you have 20 minutes for a Westbrook student?"
    assert capture.key.startswith("digest:")


def test_windows_1252_quoted_printable_is_decoded():
    parsed = parse(eml("outlook_forward_reply.eml"))
    assert parsed.letter.text == "FYI \u2013 logging this one."
    assert "I\u2019m free Thursday" in parsed.forwarded.text


def test_an_outlook_reply_quoting_its_history_is_not_a_forward():
    raw = eml("outlook_forward_reply.eml").replace(b"Subject: FW:", b"Subject: RE:")
    parsed = parse(raw)
    assert parsed.forwarded is None
    assert parsed.letter.text == "FYI \u2013 logging this one."


def test_a_reply_with_quoted_history_keeps_only_the_new_text():
    capture = _capture("gmail_reply_quoted.eml")
    assert capture.direction == Direction.SENT
    assert capture.in_reply_to == "CAJane9xYz3-reply@mail.northwind.example"
    assert capture.references == (
        "CAHx7mQk4F1n2b0pZ8vWq=intro01@mail.gmail.com",
        "CAJane9xYz3-reply@mail.northwind.example",
    )
    assert capture.is_reply
    assert not capture.thanks  # Jane's "Thank you for reaching out" is quoted history
    assert [a.email for a in capture.counterparts] == [JANE]  # "Doe, Jane" <Jane.Doe@...>


def test_an_html_only_message_is_read_as_text():
    parsed = parse(eml("apple_html_only_thank_you.eml"))
    assert parsed.letter.text.startswith("Hi Jane,\nThank you so much for taking the time")
    assert "<div" not in parsed.letter.text
    assert _capture("apple_html_only_thank_you.eml").thanks


def test_latin1_headers_and_body():
    parsed = parse(eml("thunderbird_latin1_intro.eml"))
    assert parsed.letter.subject == "Petite question d'une étudiante de Westbrook"
    assert parsed.letter.to[0].name == "José Álvarez"
    assert parsed.letter.to[0].email == "jose.alvarez@contoso.example"
    assert "troisième année" in parsed.letter.text


def test_a_shift_jis_reply_attached_as_a_message():
    parsed = parse(eml("outlook_attached_shift_jis_reply.eml"))
    forwarded = parsed.forwarded
    assert forwarded.sender.name == "田中 太郎"
    assert forwarded.subject == "Re: インターンシップについての質問"
    assert forwarded.message_id == "20261209100500.4F2A@kyoto-energy.example.jp"
    assert forwarded.in_reply_to == "tanaka-intro-2026@example.edu"
    assert "三十分ほどお話しできます" in forwarded.text
    assert parsed.letter.text == "Forwarding Mr. Tanaka's answer."


def test_an_outlook_meeting_invitation():
    [invitation] = parse(eml("outlook_meeting_invitation.eml")).invitations
    assert invitation.method == "REQUEST"
    assert invitation.start == dt.datetime(2026, 12, 10, 19, 0, tzinfo=dt.UTC)  # 2 PM EST
    assert invitation.minutes == 30
    assert invitation.location == "Microsoft Teams Meeting"
    assert invitation.organizer.email == JANE
    assert invitation.summary == "Coffee chat: Alice / Jane"
    capture = _capture("outlook_meeting_invitation.eml")
    assert capture.direction == Direction.RECEIVED
    assert [a.email for a in capture.counterparts] == [JANE]
    assert capture.key.startswith("digest:")


def test_a_calendar_cancellation():
    [invitation] = parse(eml("google_calendar_cancellation.eml")).invitations
    assert (invitation.method, invitation.organizer.email) == ("CANCEL", JANE)


def test_a_pdf_attachment_is_not_read():
    parsed = parse(eml("gmail_intro_with_pdf.eml"))
    assert "PDF" not in parsed.letter.text
    assert parsed.invitations == ()


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Mon, Dec 7, 2026 at 9:12 AM", dt.datetime(2026, 12, 7, 9, 12)),  # Gmail
        ("Mon, 7 Dec 2026 at 09:12", dt.datetime(2026, 12, 7, 9, 12)),  # Gmail, UK
        ("Monday, December 7, 2026 9:12 PM", dt.datetime(2026, 12, 7, 21, 12)),  # Outlook
        ("07 December 2026 09:12", dt.datetime(2026, 12, 7, 9, 12)),  # Outlook, UK
        ("December 7, 2026 at 9:12:34 AM EST", dt.datetime(2026, 12, 7, 9, 12, 34)),  # Apple
        ("Mon, 7 Dec 2026 09:12:34 -0500", dt.datetime(2026, 12, 7, 9, 12, 34, tzinfo=EST)),
        ("sometime next week", None),
        ("Mon, 7 Dec 1066 at 9:12 AM", None),
    ],
)
def test_dates_written_above_a_forward(written, expected):
    body = (
        "Subject: Fwd: Hello\r\nFrom: alice@example.edu\r\nTo: x@capture.example.edu\r\n\r\n"
        "---------- Forwarded message ---------\r\n"
        f"From: Jane Doe <{JANE}>\r\nDate: {written}\r\nSubject: Hello\r\nTo: alice@example.edu\r\n"
        "\r\nHi!\r\n"
    )
    assert parse(body.encode()).forwarded.date == expected


def test_outlook_older_from_line_and_a_name_without_address():
    body = (
        "Subject: FW: Hello\r\nFrom: alice@example.edu\r\n\r\n"
        "-----Original Message-----\r\n"
        "From: Jane Doe [mailto:Jane.Doe@Northwind.example]\r\n"
        "Sent: Monday, December 7, 2026 9:12 AM\r\nSubject: Hello\r\n\r\nHi!\r\n"
    )
    assert parse(body.encode()).forwarded.sender.email == JANE
    no_address = body.replace("Jane Doe [mailto:Jane.Doe@Northwind.example]", "Jane Doe")
    sender = parse(no_address.encode()).forwarded.sender
    assert (sender.name, sender.email) == ("Jane Doe", "")


def test_html_to_text_keeps_blocks_and_marks_quotes():
    html = (
        "<html><head><style>p{}</style><title>t</title></head><body><p>Hello&nbsp;<b>Jane</b>,"
        "</p><div>line one<br>line two</div><blockquote><div>quoted</div></blockquote>"
        "<script>alert(1)</script></body></html>"
    )
    assert html_to_text(html) == "Hello Jane,\nline one\nline two\n> quoted"


def test_new_text_stops_at_the_quoted_history():
    text = "Sounds good!\n\nOn Mon, Dec 7, 2026 at 9:12 AM Jane Doe <\njane@x.example> wrote:\n> hi"
    assert new_text(text) == "Sounds good!"
    outlook = "See you then.\n\nFrom: Jane Doe <jane@x.example>\nSent: Monday\nTo: Alice\n\nhi"
    assert new_text(outlook) == "See you then."


@pytest.mark.parametrize(
    ("subject", "text", "thanks"),
    [
        ("Thank you!", "", True),
        ("Re: Thanks for your time today", "", True),
        ("Coffee?", "Hi Jane,\nThank you so much for talking with me today.", True),
        ("Coffee?", "I really appreciated your advice about SQL.", True),
        ("Coffee?", "Could we talk for 20 minutes?\n\nThanks,\nAlice", False),
        ("Coffee?", "Many thanks, Alice", False),
        ("Coffee?", "Thanks in advance for considering it, it would mean a lot.", False),
    ],
)
def test_a_thank_you(subject, text, thanks):
    assert says_thanks(subject, text) is thanks


def test_subject_prefixes():
    assert strip_prefixes("RE: Fwd: AW: re[2]: Hello") == "Hello"
    assert strip_prefixes("Retirement plans") == "Retirement plans"


def test_the_token_of_a_recipient(settings):
    settings.CAPTURE_DOMAIN = DOMAIN
    assert token_from_recipient(f"<{TOKEN}@{DOMAIN}>") == TOKEN
    assert token_from_recipient(f"{TOKEN.upper()}+tag@CAPTURE.example.edu.") == TOKEN
    assert token_from_recipient(f"postmaster@{DOMAIN}") == ""
    assert token_from_recipient(f"{TOKEN}@example.edu") is None
    assert token_from_recipient("not an address") is None
    settings.CAPTURE_DOMAIN = ""
    assert token_from_recipient(f"{TOKEN}@{DOMAIN}") is None


def test_a_message_without_a_readable_sender_is_none():
    assert parse(b"Subject: hello\r\n\r\nbody") is None
    assert parse(b"From: nobody\r\n\r\nbody") is None


@settings(max_examples=300, deadline=None)
@given(raw=st.binary(max_size=4000))
@example(raw=b"From: a@b.c\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n" * 50)
@example(raw=b"From: a@b.c\r\n" + b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n" * 300)
@example(raw=b"From: " + b"(" * 2000 + b"a@b.c\r\n\r\n")
@example(raw=b"From: a@b.c\r\nContent-Type: text/calendar\r\n\r\nBEGIN:VCALENDAR\r\nMETHOD:")
def test_random_bytes_never_make_the_parser_raise(raw):
    parsed = parse(raw)
    if parsed is not None:
        classify(parsed, own=OWN, domain=DOMAIN)


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(ALL),
    cuts=st.lists(st.tuples(st.integers(0, 10_000), st.binary(max_size=8)), max_size=6),
)
def test_mangled_real_messages_never_make_the_parser_raise(name, cuts):
    """Each real message with bytes replaced, inserted or cut away, as transport damage or
    a hostile sender would leave it."""
    raw = bytearray(eml(name))
    for position, replacement in cuts:
        position %= len(raw) + 1
        raw[position : position + len(replacement) // 2] = replacement
    parsed = parse(bytes(raw))
    if parsed is not None:
        classify(parsed, own=OWN, domain=DOMAIN)
