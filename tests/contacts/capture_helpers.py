"""What the email-capture tests share: the real-shaped messages of tests/data/capture, the
student's capture address with a known token, Jane (a contact), the drop counters, and the
fixtures of the services tests (Alice with her address, a clock stopped after Jane's reply),
which a test module uses by importing them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine

from contacts.capture.models import CaptureAddress, CaptureDropCount
from contacts.capture.services import IngestResult, capture_ingest
from networking_app.accounts.models import Profile
from tests.contacts.factories import ContactFactory

DATA = Path(__file__).resolve().parent.parent / "data" / "capture"
TOKEN = "abcdefghijklmnopqrstuvwxyz234567"  # the address the .eml files are sent to
ADDRESS = f"{TOKEN}@capture.example.edu"
ALICE = "alice@example.edu"  # the `student` fixture's verified address
JANE = "jane.doe@northwind.example"
UTC = dt.UTC
# The messages' story, in UTC: Alice's intro on Monday 7 December 2026 at 16:03 EST, Jane's
# reply on Tuesday at 9:12 EST, the invitation for Thursday 10 December, 14:00 to 14:30 EST.
INTRO_SENT = dt.datetime(2026, 12, 7, 21, 3, 11, tzinfo=UTC)
AFTER_REPLY = dt.datetime(2026, 12, 8, 16, 0, tzinfo=UTC)
MEETING = dt.datetime(2026, 12, 10, 19, 0, tzinfo=UTC)
AFTER_MEETING = dt.datetime(2026, 12, 10, 21, 0, tzinfo=UTC)
ALL = sorted(p.name for p in DATA.glob("*.eml"))


def eml(name: str) -> bytes:
    """A message as it travels: CRLF line ends (the files keep LF for readable diffs)."""
    return (DATA / name).read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def capture_address(student) -> CaptureAddress:
    return CaptureAddress.objects.create(owner=student, token=TOKEN)


@pytest.fixture(name="alice")
def alice_fixture(student):
    """The student, in New York like the messages' senders, with her capture address."""
    Profile.objects.filter(user=student).update(time_zone="America/New_York")
    student.refresh_from_db()
    capture_address(student)
    return student


@pytest.fixture(name="clock")
def clock_fixture():
    with time_machine.travel(AFTER_REPLY, tick=False) as traveller:
        yield traveller


def jane(student, **fields):
    return ContactFactory(owner=student, name="Jane Doe", email=JANE, **fields)


def ingest(message: str | bytes, *, sender: str = ALICE, to: str = ADDRESS) -> IngestResult:
    raw = eml(message) if isinstance(message, str) else message
    return capture_ingest(raw=raw, envelope_from=sender, envelope_to=to)


def drops() -> dict[str, int]:
    """Dropped messages counted so far, by reason."""
    counts: dict[str, int] = {}
    for reason, count in CaptureDropCount.objects.values_list("reason", "count"):
        counts[reason] = counts.get(reason, 0) + count
    return counts


def message(
    *,
    sender: str = "Alice Student <alice@example.edu>",
    to: str = "Jane Doe <jane.doe@northwind.example>",
    subject: str = "Hello",
    body: str = "Hi Jane,\n\nA short note.\n\nAlice\n",
    message_id: str = "<note-1@example.edu>",
    date: str = "Mon, 7 Dec 2026 16:03:11 -0500",
    extra: str = "",
) -> bytes:
    """A plain-text message built from its parts, for the cases the files do not cover."""
    headers = (
        f"From: {sender}\nTo: {to}\nSubject: {subject}\nDate: {date}\n"
        f"Message-ID: {message_id}\nMIME-Version: 1.0\n{extra}"
        'Content-Type: text/plain; charset="UTF-8"\n\n'
    )
    return (headers + body).replace("\n", "\r\n").encode()
