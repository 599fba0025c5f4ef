"""What a captured message is, from its parsed values and the student's own addresses (no
database): sent by the student or received from someone else, who it was with, its date and
key, whether it answers another message, whether it thanks someone, and its invitation.

The pipeline move itself depends on the conversation's state and is decided by
contacts.capture.services.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from contacts.capture.models import Direction
from contacts.capture.parsing import (
    REPLY_SUBJECT,
    Address,
    Invitation,
    Letter,
    Parsed,
    digest_key,
    strip_prefixes,
)

_THANKS = re.compile(
    r"\b(?:thank(?:s|\s+you|-you|ing\s+you)|grateful|gratitude|appreciated?)\b", re.IGNORECASE
)
_IN_ADVANCE = re.compile(r"\b(?:thanks?|thank\s+you)\s+(?:so\s+much\s+)?in\s+advance\b", re.I)


@dataclass(frozen=True)
class Capture:
    direction: str
    counterparts: tuple[Address, ...]  # the most likely first
    subject: str
    date: dt.datetime | None
    key: str
    in_reply_to: str
    references: tuple[str, ...]
    is_reply: bool
    thanks: bool
    invitation: Invitation | None


def says_thanks(subject: str, text: str) -> bool:
    """A thank-you: the subject says so, or a sentence near the top does; a sign-off line
    ("Thanks," "Many thanks, Alice") or "thanks in advance" does not count."""
    if _THANKS.search(strip_prefixes(subject)) and not _IN_ADVANCE.search(subject):
        return True
    for line in text.split("\n")[:40]:
        if len(line.split()) <= 3 or _IN_ADVANCE.search(line):
            continue
        if _THANKS.search(line):
            return True
    return False


def _others(addresses, own: set[str], domain: str) -> tuple[Address, ...]:
    seen: set[str] = set()
    found = []
    for address in addresses:
        key = address.email or address.name.lower()
        if not key or key in seen or address.email in own:
            continue
        if domain and address.email.endswith("@" + domain):
            continue
        seen.add(key)
        found.append(address)
    return tuple(found)


def _key(letter: Letter, *, outer: Letter) -> str:
    if letter.message_id:
        return letter.message_id
    sender = letter.sender.email or letter.sender.name if letter.sender else ""
    when = letter.date.isoformat() if letter.date else ""
    if letter is outer:
        return digest_key("message", sender, when, letter.subject, *(a.email for a in letter.to))
    return digest_key("forward", sender, when, letter.subject)


def classify(parsed: Parsed, *, own: set[str], domain: str) -> Capture | None:
    """The capture of a message whose sender is one of `own` (the student's verified
    addresses), or None when nobody else is named in it."""
    outer = parsed.letter
    letter = parsed.forwarded or outer
    if parsed.forwarded is not None and (letter.sender is None or letter.sender.email not in own):
        direction = Direction.RECEIVED
        counterparts = _others([letter.sender] if letter.sender else [], own, domain)
    else:
        direction = Direction.SENT
        counterparts = _others([*letter.to, *letter.cc], own, domain)
    invitation = next(iter(parsed.invitations), None)
    if invitation is not None:
        organizer = invitation.organizer
        if organizer is not None and organizer.email not in own:
            direction = Direction.RECEIVED
            counterparts = _others([organizer], own, domain) + counterparts
        else:
            direction = Direction.SENT
            counterparts = _others(invitation.attendees, own, domain) + counterparts
        counterparts = _others(counterparts, own, domain)
    if not counterparts:
        return None
    subject = strip_prefixes(letter.subject) or strip_prefixes(outer.subject)
    if invitation is not None and not subject:
        subject = invitation.summary
    key = _key(letter, outer=outer)
    if invitation is not None:
        # The same invitation forwarded twice logs once; a new time or place logs again.
        when = invitation.start.isoformat() if invitation.start else ""
        key = digest_key("ics", invitation.uid, invitation.method, when, invitation.location)
    return Capture(
        direction=direction,
        counterparts=counterparts,
        subject=subject[:300],
        date=letter.date or outer.date,
        key=key,
        in_reply_to=letter.in_reply_to,
        references=letter.references,
        is_reply=bool(letter.in_reply_to) or bool(REPLY_SUBJECT.match(letter.subject)),
        thanks=direction == Direction.SENT and says_thanks(letter.subject, letter.text),
        invitation=invitation,
    )
