"""vCard 2.1, 3.0 and 4.0 files, read forgivingly: each card is parsed on its own, so one
broken card becomes an invalid row with the reason and the others still import."""

from __future__ import annotations

import re
from collections.abc import Iterator

import vobject

from contacts.imports.files import MAX_ROWS, ImportFileError
from contacts.imports.records import RawRecord, is_linkedin

BEGIN = re.compile(r"^begin:vcard\s*$", re.I)
END = re.compile(r"^end:vcard\s*$", re.I)
MAX_CARD_CHARS = 200_000


def split_cards(text: str) -> Iterator[tuple[int, str, str]]:
    """(line, card text, problem) for each BEGIN:VCARD ... END:VCARD block."""
    lines = text.splitlines()
    start = None
    for number, line in enumerate(lines, start=1):
        if BEGIN.match(line.strip()):
            if start is not None:
                yield start, "", "The card has no END:VCARD before the next card begins."
            start = number
        elif END.match(line.strip()) and start is not None:
            yield start, "\r\n".join(lines[start - 1 : number]) + "\r\n", ""
            start = None
    if start is not None:
        yield start, "", "The card has no END:VCARD (the file may be cut short)."


def _values(card, name: str) -> list:
    return [item.value for item in card.contents.get(name, [])]


def _text(value) -> str:
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value if v)
    return str(value or "")


def _record(card, line: int) -> RawRecord:
    raw = RawRecord(line=line)
    raw.name = _text(next(iter(_values(card, "fn")), ""))
    if not raw.name.strip():
        for value in _values(card, "n"):
            parts = [
                getattr(value, "prefix", ""),
                getattr(value, "given", ""),
                getattr(value, "additional", ""),
                getattr(value, "family", ""),
                getattr(value, "suffix", ""),
            ]
            raw.name = " ".join(_text(p) for p in parts if _text(p))
            if not isinstance(value, vobject.vcard.Name):
                raw.name = _text(value).replace(";", " ")
    raw.emails = [_text(v) for v in _values(card, "email")]
    raw.phones = [_text(v) for v in _values(card, "tel")]
    for value in _values(card, "org"):
        parts = value if isinstance(value, list | tuple) else [value]
        if parts and not raw.organization:
            raw.organization = _text(parts[0])
    raw.title = _text(next(iter(_values(card, "title")), "")) or _text(
        next(iter(_values(card, "role")), "")
    )
    urls = [_text(v) for v in _values(card, "url")]
    urls += [
        _text(item.value)
        for item in card.contents.get("x-socialprofile", [])
        if "linkedin" in _text(item.value).lower() or "linkedin" in str(item.params).lower()
    ]
    linkedin = [u for u in urls if is_linkedin(u)]
    raw.linkedin_url = linkedin[0] if linkedin else ""
    raw.websites = [u for u in urls if u not in linkedin[:1]]
    raw.notes = "\n".join(_text(v) for v in _values(card, "note") if _text(v)).strip()
    for value in _values(card, "categories"):
        if isinstance(value, list | tuple):
            raw.tags.extend(_text(v) for v in value)
        else:
            raw.tags.extend(_text(value).split(","))
    return raw


def records(filename: str, text: str) -> Iterator[RawRecord]:
    count = 0
    for line, card_text, problem in split_cards(text):
        count += 1
        if count > MAX_ROWS:
            raise ImportFileError(
                f"“{filename}” has more than {MAX_ROWS:,} cards; import at most {MAX_ROWS:,} at "
                "a time (split the file)."
            )
        if problem:
            yield RawRecord(line=line, broken=problem)
            continue
        if len(card_text) > MAX_CARD_CHARS:
            yield RawRecord(line=line, broken="The card is too large (a photo?); it was left out.")
            continue
        try:
            card = vobject.readOne(card_text, ignoreUnreadable=True)
            raw = _record(card, line)
        except Exception as error:
            reason = str(error).splitlines()[0][:150] if str(error) else type(error).__name__
            yield RawRecord(line=line, broken=f"The card could not be read: {reason}")
            continue
        if raw.is_empty():
            raw.broken = "The card has no name, email, phone or organization."
        yield raw
    if count == 0:
        raise ImportFileError(f"“{filename}” contains no complete vCard.")
