"""An inbound email read into plain values, without the database: who wrote it to whom, when,
about what, the message it forwards (a `message/rfc822` part, or the header block Gmail,
Outlook, Apple Mail or Thunderbird write above an inline forward), the text its author wrote
(quoted history left out) and any calendar invitation.

Python's `email` package with `policy.default`, the parser meant for real-world mail: it decodes
RFC 2047 names and subjects and each part's charset. A malformed header raises only when it is
read, and some inputs make the header parser or the part walk raise or recurse deeply, so every
read here is guarded: a part or header that cannot be read is skipped, never a reason to fail.
`parse` returns None only when no sender can be read at all.
"""

from __future__ import annotations

import datetime as dt
import email
import email.utils
import hashlib
import re
from dataclasses import dataclass
from email import policy
from email.header import decode_header, make_header
from email.message import Message

import icalendar

from contacts.capture import mime

# How much of a message is looked at (its parts and text: contacts/capture/mime.py).
MAX_HEADER = 2_000
MAX_ICS = 256 * 1024
MAX_REFERENCES = 20


@dataclass(frozen=True)
class Address:
    name: str
    email: str  # lower case; "" when only a name was given (Outlook's "From: Jane Doe")


@dataclass(frozen=True)
class Invitation:
    method: str  # REQUEST or CANCEL
    uid: str
    summary: str
    start: dt.datetime | None  # naive: "floating", in the reader's time zone
    minutes: int
    location: str
    organizer: Address | None
    attendees: tuple[Address, ...]


@dataclass(frozen=True)
class Letter:
    """The headers and new text of one message: the one received, or the one it forwards."""

    sender: Address | None
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    subject: str
    date: dt.datetime | None  # naive when the forward's header block named no zone
    message_id: str
    in_reply_to: str
    references: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Parsed:
    letter: Letter
    forwarded: Letter | None
    invitations: tuple[Invitation, ...]


# --- Headers ---------------------------------------------------------------------------------


def _raw_header(message: Message, name: str) -> str:
    """The header's value as it came (the first of its name), without the parser's objects."""
    try:
        for key, value in message.raw_items():
            if key.lower() == name:
                return str(value)[:MAX_HEADER]
    except Exception:  # noqa: S110 - a header that cannot be read is no header
        pass
    return ""


def _decoded(value: str) -> str:
    """RFC 2047 encoded words decoded; undecodable bytes replaced; one line."""
    try:
        text = str(policy.default.header_factory("subject", value))
    except Exception:
        try:
            text = str(make_header(decode_header(value)))
        except Exception:
            text = value
    return " ".join(text.split())


_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\"]+$")


def clean_email(value: str) -> str:
    value = (value or "").strip().strip("<>").strip().lower()
    if value.startswith("mailto:"):
        value = value[len("mailto:") :]
    return value if len(value) <= 254 and _EMAIL.match(value) else ""


def _addresses_from(value: str) -> tuple[Address, ...]:
    if not value:
        return ()
    pairs: list[tuple[str, str]] = []
    try:
        header = policy.default.header_factory("to", value)
        pairs = [(a.display_name, a.addr_spec) for a in header.addresses]
    except Exception:
        try:
            pairs = email.utils.getaddresses([value])
        except Exception:
            pairs = []
    found = []
    for name, addr in pairs[:50]:
        found.append(
            Address(name=" ".join(_decoded(name or "").split())[:200], email=clean_email(addr))
        )
    return tuple(a for a in found if a.email)


def _addresses(message: Message, name: str) -> tuple[Address, ...]:
    return _addresses_from(_raw_header(message, name))


_MESSAGE_ID = re.compile(r"<([^<>\s]{1,500})>")


def _message_ids(value: str) -> list[str]:
    ids = _MESSAGE_ID.findall(value or "")
    if not ids and value.strip() and " " not in value.strip():
        ids = [value.strip()]
    return [normalize_message_id(i) for i in ids if i]


def normalize_message_id(value: str) -> str:
    value = value.strip().strip("<>").strip()
    if len(value) > 250:
        value = "sha256:" + hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()
    return value


_CLIENT_DATE = re.compile(r"\b(?:[ap]\.?m\.?|at|[a-z]{4,}day)\b", re.IGNORECASE)


def _date(value: str) -> dt.datetime | None:
    if not value:
        return None
    if _CLIENT_DATE.search(value):
        # A mail client's words ("at 9:12 PM", "Monday"): the RFC 5322 reader would take
        # them leniently and wrongly (9:12 PM as 9:12).
        loose = _loose_date(value)
        if loose is not None:
            return loose
    try:
        when = email.utils.parsedate_to_datetime(value)
    except Exception:
        return _loose_date(value)
    if when is None:
        return None
    return when if _plausible(when) else None


def _plausible(when: dt.datetime) -> bool:
    return 1990 <= when.year <= 2200


def _letter_headers(message: Message, text: str) -> Letter:
    senders = _addresses(message, "from") or _addresses(message, "sender")
    references = _message_ids(_raw_header(message, "references"))[-MAX_REFERENCES:]
    replying_to = _message_ids(_raw_header(message, "in-reply-to"))
    return Letter(
        sender=senders[0] if senders else None,
        to=_addresses(message, "to"),
        cc=_addresses(message, "cc"),
        subject=_decoded(_raw_header(message, "subject"))[:300],
        date=_date(_raw_header(message, "date")),
        message_id=(_message_ids(_raw_header(message, "message-id")) or [""])[0],
        in_reply_to=replying_to[0] if replying_to else "",
        references=tuple(references),
        text=text,
    )


# --- Forwards and quotes ---------------------------------------------------------------------

FORWARD_SUBJECT = re.compile(r"^\s*(?:fwd?|fw|tr|wg|rv|enc)\s*:", re.IGNORECASE)
REPLY_SUBJECT = re.compile(r"^\s*(?:re|aw|sv|antw|r)\s*:", re.IGNORECASE)
_PREFIXES = re.compile(
    r"^\s*(?:(?:re|aw|sv|antw|fwd?|fw|tr|wg|rv|enc)\s*(?:\[\d+\])?\s*:\s*)+", re.I
)

# Lines that start a forwarded message: Gmail and Thunderbird, Apple Mail. Outlook's line of
# underscores and older clients' "Original Message" start a reply's quoted history as well as a
# forward: only a forward's subject ("FW:") makes them a forward.
_FORWARD_MARKERS = re.compile(
    r"^\s*(?:>\s*)*(?:-{3,}\s*(?:Forwarded message|Mensaje reenviado|Message transf\u00e9r\u00e9|"
    r"Weitergeleitete Nachricht)\s*-{3,}|Begin forwarded message:)\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_QUOTE_MARKERS = re.compile(
    r"^\s*(?:>\s*)*(?:-{3,}\s*Original Message\s*-{3,}|_{10,})\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_HEADER_LINE = re.compile(
    r"^\s*(?:>\s*)*\**(From|Sent|Date|To|Cc|Subject|Reply-To)\s*:\**\s*(.*)$", re.IGNORECASE
)
_WROTE = re.compile(r"^\s*On\b.{4,300}\bwrote:\s*$", re.IGNORECASE | re.DOTALL)
_BRACKET_MAILTO = re.compile(r"\[mailto:([^\]\s]+)\]", re.IGNORECASE)


def strip_prefixes(subject: str) -> str:
    return _PREFIXES.sub("", subject or "").strip()


def _header_block(lines: list[str], start: int) -> tuple[dict[str, str], int]:
    """The `From:`/`Date:`/`Subject:`... lines from `start` (blank lines before them skipped,
    a wrapped value joined), and the index after them."""
    fields: dict[str, str] = {}
    index = start
    while index < len(lines) and not lines[index].strip() and index - start < 3:
        index += 1
    last = None
    while index < len(lines):
        line = lines[index]
        match = _HEADER_LINE.match(line)
        if match:
            last = match.group(1).lower()
            fields.setdefault(last, match.group(2).strip())
        elif line.strip() and last is not None and last in ("to", "cc") and "@" in line:
            fields[last] += " " + line.strip()  # a long recipient list wraps
        else:
            break
        index += 1
    return fields, index


def _block_address(value: str) -> tuple[Address, ...]:
    value = _BRACKET_MAILTO.sub(lambda m: f"<{m.group(1)}>", value)
    found = _addresses_from(value)
    if found:
        return found
    name = " ".join(value.replace('"', "").split())[:200]
    return (Address(name=name, email=""),) if name and "@" not in name else ()


def _inline_forward(text: str, subject: str) -> Letter | None:
    lines = text.split("\n")[:5000]
    candidates: list[int] = []
    for pattern in (_FORWARD_MARKERS, _QUOTE_MARKERS):
        match = pattern.search(text)
        if match is not None and (pattern is _FORWARD_MARKERS or FORWARD_SUBJECT.match(subject)):
            candidates.append(text.count("\n", 0, match.start()) + 1)
    if FORWARD_SUBJECT.match(subject or ""):
        # Outlook's plain text: sometimes no marker line, only the forward's header block.
        candidates.extend(i for i, line in enumerate(lines[:500]) if _HEADER_LINE.match(line))
    for start in sorted(set(candidates))[:8]:
        fields, after = _header_block(lines, start)
        if "from" not in fields or not ({"date", "sent", "subject", "to"} & set(fields)):
            continue
        senders = _block_address(fields["from"])
        body = "\n".join(lines[after:])
        return Letter(
            sender=senders[0] if senders else None,
            to=_block_address(fields.get("to", "")),
            cc=_block_address(fields.get("cc", "")),
            subject=_decoded(fields.get("subject", ""))[:300],
            date=_date(fields.get("date") or fields.get("sent") or ""),
            message_id="",
            in_reply_to="",
            references=(),
            text=new_text(body),
        )
    return None


def new_text(text: str) -> str:
    """What the author wrote: the text above the quoted history of a reply or forward."""
    kept: list[str] = []
    lines = text.split("\n")
    for index, line in enumerate(lines[:2000]):
        stripped = line.strip()
        if stripped.startswith(">"):
            break
        if _FORWARD_MARKERS.match(line) or _QUOTE_MARKERS.match(line):
            break
        if _WROTE.match(line) or (
            stripped.lower().startswith("on ")
            and index + 1 < len(lines)
            and _WROTE.match(line + " " + lines[index + 1])
        ):
            break
        header = _HEADER_LINE.match(line)
        if header and header.group(1).lower() == "from":
            following = " ".join(lines[index + 1 : index + 4]).lower()
            if "sent:" in following or "date:" in following:
                break
        kept.append(line)
    return "\n".join(kept).strip()


# --- Dates written by mail clients above a forward ------------------------------------------

_WEEKDAY = re.compile(
    r"\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?\b\.?,?",
    re.IGNORECASE,
)
_LOOSE_FORMATS = (
    "%b %d %Y %I:%M %p",
    "%B %d %Y %I:%M %p",
    "%b %d %Y %I:%M:%S %p",
    "%B %d %Y %I:%M:%S %p",
    "%d %b %Y %H:%M",
    "%d %B %Y %H:%M",
    "%d %b %Y %H:%M:%S",
    "%d %B %Y %H:%M:%S",
    "%d %b %Y %I:%M %p",
    "%d %B %Y %I:%M %p",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M",
)


def _loose_date(value: str) -> dt.datetime | None:
    """Gmail's "Mon, Dec 7, 2026 at 9:12 AM", Outlook's "Monday, December 7, 2026 9:12 AM",
    Apple Mail's "December 7, 2026 at 9:12:34 AM EST": naive, in the reader's zone (the zone
    names these clients add are ambiguous, so they are left out)."""
    text = _WEEKDAY.sub(" ", value[:200])
    text = re.sub(r"\bat\b|,", " ", text, flags=re.IGNORECASE)
    text = re.sub(r"\b(?!AM\b|PM\b)(?:[A-Z]{2,5}|GMT[+-]\d{1,2}(?::?\d{2})?)\s*$", "", text.strip())
    text = re.sub(r"(?i)(\d)\s*([ap])\.?m\.?\b", r"\1 \2M", text)
    text = " ".join(text.split())
    for fmt in _LOOSE_FORMATS:
        try:
            when = dt.datetime.strptime(text, fmt)  # naive on purpose
        except ValueError:
            continue
        return when if _plausible(when) else None
    return None


# --- Calendar invitations --------------------------------------------------------------------


def _calendar_parts(parts: list[mime.Part]) -> list[Message]:
    found = []
    for item in parts:
        if item.content_type in ("text/calendar", "application/ics"):
            found.append(item.part)
        elif item.attachment or item.content_type == "application/octet-stream":
            try:
                if (item.part.get_filename() or "").lower().endswith(".ics"):
                    found.append(item.part)
            except Exception:  # noqa: S112 - a name that cannot be read is not an .ics
                continue
    return found


def _cal_address(value) -> Address | None:
    if value is None:
        return None
    try:
        name = str(value.params.get("CN", "")) if hasattr(value, "params") else ""
    except Exception:
        name = ""
    address = clean_email(str(value))
    if not address:
        return None
    return Address(name=" ".join(name.strip('"').split())[:200], email=address)


def _minutes(event, start) -> int:
    try:
        end = event.get("DTEND")
        if end is not None and isinstance(start, dt.datetime):
            end = end.dt
            if isinstance(end, dt.datetime) and (end.tzinfo is None) == (start.tzinfo is None):
                return max(5, min(600, int((end - start).total_seconds() // 60)))
        duration = event.get("DURATION")
        if duration is not None:
            return max(5, min(600, int(duration.dt.total_seconds() // 60)))
    except Exception:  # noqa: S110
        pass
    return 30


def _invitations(parts: list[mime.Part]) -> tuple[Invitation, ...]:
    found: dict[str, Invitation] = {}
    for part in _calendar_parts(parts):
        try:
            data = part.get_payload(decode=True) or b""
        except Exception:  # noqa: S112
            continue
        if not isinstance(data, bytes) or len(data) > MAX_ICS:
            continue
        try:
            calendar = icalendar.Calendar.from_ical(data)
            method = str(calendar.get("METHOD", "") or part.get_param("method") or "").upper()
            events = calendar.walk("VEVENT")
        except Exception:  # noqa: S112
            continue
        if method not in ("REQUEST", "CANCEL"):
            continue
        for event in events[:1]:
            try:
                start = event.get("DTSTART")
                start = start.dt if start is not None else None
                if not isinstance(start, dt.datetime) or not _plausible(start):
                    start = None  # an all-day event is not a meeting time
                elif start.tzinfo is not None:
                    start = start.astimezone(dt.UTC)
                attendees = event.get("ATTENDEE") or []
                if not isinstance(attendees, list):
                    attendees = [attendees]
                uid = str(event.get("UID", ""))[:255]
                invitation = Invitation(
                    method=method,
                    uid=uid,
                    summary=" ".join(str(event.get("SUMMARY", "")).split())[:300],
                    start=start,
                    minutes=_minutes(event, start),
                    location=" ".join(str(event.get("LOCATION", "")).split())[:500],
                    organizer=_cal_address(event.get("ORGANIZER")),
                    attendees=tuple(a for a in map(_cal_address, attendees[:50]) if a),
                )
            except Exception:  # noqa: S112
                continue
            found.setdefault(uid or str(len(found)), invitation)
    return tuple(found.values())


# --- The message -----------------------------------------------------------------------------


def parse(raw: bytes) -> Parsed | None:
    """The message's plain values, or None when it names no sender that can be read."""
    try:
        message = email.message_from_bytes(raw, policy=policy.default)
    except Exception:
        return None
    parts = mime.walk_parts(message)
    text = mime.body_text(parts)
    letter = _letter_headers(message, new_text(text))
    if letter.sender is None:
        return None
    forwarded = None
    attached = mime.attached_message(parts)
    if attached is not None:
        inner = _letter_headers(attached, new_text(mime.body_text(mime.walk_parts(attached))))
        if inner.sender is not None:
            forwarded = inner
    if forwarded is None and (
        FORWARD_SUBJECT.match(letter.subject) or _FORWARD_MARKERS.search(text)
    ):
        forwarded = _inline_forward(text, letter.subject)
    return Parsed(letter=letter, forwarded=forwarded, invitations=_invitations(parts))


def digest_key(*parts: str) -> str:
    """A stable key for a message that has no Message-ID of its own (an inline forward)."""
    joined = "\x1f".join(part or "" for part in parts)
    return "digest:" + hashlib.sha256(joined.encode("utf-8", "replace")).hexdigest()[:40]
