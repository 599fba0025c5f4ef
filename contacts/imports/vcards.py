"""vCard 2.1, 3.0 and 4.0 files, read forgivingly: each card is parsed on its own, so one
broken card becomes an invalid row with the reason and the others still import. Photos and
other binary properties are left out (Rapport keeps none), and a line that cannot be read is
left out of its card; both are reported on the card's row with the file's line numbers."""

from __future__ import annotations

import re
from collections.abc import Iterator

import vobject
import vobject.base
from django.utils.translation import gettext as _

from contacts.exports.contacts import (
    VCARD_CADENCE,
    VCARD_CONNECTED,
    VCARD_HOW_MET,
    VCARD_INDUSTRY,
    VCARD_RELATIONSHIP,
)
from contacts.imports.files import MAX_ROWS, ImportFileError
from contacts.imports.records import RawRecord, is_linkedin

BEGIN = re.compile(r"^begin:vcard\s*$", re.I)
END = re.compile(r"^end:vcard\s*$", re.I)
MAX_CARD_CHARS = 200_000
# Lines as a text editor counts them (str.splitlines also breaks at form feeds, U+2028 and
# other characters a name may hold, and the row numbers would drift from the file's).
LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Properties holding binary data (or a link to it) that Rapport does not keep.
BINARY = {"photo", "logo", "sound", "key"}
_NAME = re.compile(r"^(?:[\w-]+\.)?([\w-]+)\s*[;:]", re.A)


def split_cards(text: str) -> Iterator[tuple[int, list[str], str]]:
    """(line where the card begins, its lines, problem) for each BEGIN:VCARD ... END:VCARD."""
    lines = LINE_BREAK.split(text)
    start = None
    for number, line in enumerate(lines, start=1):
        if BEGIN.match(line.strip()):
            if start is not None:
                yield start, [], _("The card has no END:VCARD before the next card begins.")
            start = number
        elif END.match(line.strip()) and start is not None:
            yield start, lines[start - 1 : number], ""
            start = None
    if start is not None:
        yield start, [], _("The card has no END:VCARD (the file may be cut short).")


def _logical_lines(lines: list[str], first: int) -> list[tuple[int, str, list[str]]]:
    """(file line, content line unfolded, its physical lines): folded lines (RFC 6350 section
    3.2) and vCard 2.1's quoted-printable soft line breaks ("=" at the end) belong to the
    content line they continue."""
    joined: list[tuple[int, str, list[str]]] = []
    for offset, line in enumerate(lines):
        if joined:
            number, text, physical = joined[-1]
            if line[:1] in (" ", "\t"):
                joined[-1] = (number, text + line[1:], [*physical, line])
                continue
            if text.endswith("=") and "QUOTED-PRINTABLE" in text.upper():
                joined[-1] = (number, text[:-1] + line, [*physical, line])
                continue
        joined.append((first + offset, line, [line]))
    return joined


def clean_card(lines: list[str], first: int) -> tuple[str, list[str]]:
    """The card's text without its photos and unreadable lines, and what was left out."""
    kept: list[str] = []
    left_out: list[str] = []
    binary: set[str] = set()
    skipping_binary = False
    for number, line, physical in _logical_lines(lines, first):
        if not line.strip():
            continue
        name = _NAME.match(line)
        if skipping_binary and name is None and ":" not in line:
            continue  # vCard 2.1 base64 data that goes on without indentation
        skipping_binary = False
        if name and name.group(1).lower() in BINARY:
            binary.add(name.group(1).lower())
            skipping_binary = True
            continue
        try:
            vobject.base.parseLine(line)
        except vobject.base.ParseError:
            shown = line.strip()[:60] + ("…" if len(line.strip()) > 60 else "")
            left_out.append(
                _("Line %(number)s could not be read and was left out: “%(text)s”.")
                % {"number": number, "text": shown}
            )
            continue
        kept += physical
    warnings = []
    if "photo" in binary:
        warnings.append(_("The card's photo was left out (Rapport does not keep photos)."))
    others = sorted(binary - {"photo"})
    if others:
        warnings.append(
            _("Left out: %(properties)s (not kept).")
            % {"properties": ", ".join(n.upper() for n in others)}
        )
    return "\r\n".join(kept) + "\r\n", warnings + left_out


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
    # Rapport's own export: the fields a vCard has no property for.
    raw.industry = _text(next(iter(_values(card, VCARD_INDUSTRY.lower())), ""))
    raw.relationship = _text(next(iter(_values(card, VCARD_RELATIONSHIP.lower())), ""))
    raw.how_met = _text(next(iter(_values(card, VCARD_HOW_MET.lower())), ""))
    raw.cadence = _text(next(iter(_values(card, VCARD_CADENCE.lower())), ""))
    raw.connected_on = _text(next(iter(_values(card, VCARD_CONNECTED.lower())), ""))
    for value in _values(card, "categories"):
        if isinstance(value, list | tuple):
            raw.tags.extend(_text(v) for v in value)
        else:
            raw.tags.extend(_text(value).split(","))
    return raw


def records(filename: str, text: str) -> Iterator[RawRecord]:
    count = 0
    for line, card_lines, problem in split_cards(text):
        count += 1
        if count > MAX_ROWS:
            raise ImportFileError(
                f"“{filename}” has more than {MAX_ROWS:,} cards; import at most {MAX_ROWS:,} at "
                "a time (split the file)."
            )
        if problem:
            yield RawRecord(line=line, broken=problem)
            continue
        card_text, warnings = clean_card(card_lines, line)
        if len(card_text) > MAX_CARD_CHARS:
            yield RawRecord(line=line, broken=_("The card is too large; it was left out."))
            continue
        try:
            card = vobject.readOne(card_text, ignoreUnreadable=True)
            raw = _record(card, line)
            raw.warnings = warnings
        except Exception as error:
            reason = str(error).splitlines()[0][:150] if str(error) else type(error).__name__
            yield RawRecord(
                line=line, broken=_("The card could not be read: %(reason)s") % {"reason": reason}
            )
            continue
        if raw.is_empty():
            raw.broken = _("The card has no name, email, phone or organization.")
        yield raw
    if count == 0:
        raise ImportFileError(
            _("“%(filename)s” contains no complete vCard.") % {"filename": filename}
        )
