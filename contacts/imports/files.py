"""Checks on an uploaded file before any parsing: type, size, encoding, content vs name."""

from __future__ import annotations

import codecs
import os
import re
import unicodedata

import charset_normalizer
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
CSV_EXTENSIONS = {".csv"}
VCARD_EXTENSIONS = {".vcf", ".vcard"}

# Signatures of files students upload by mistake, and what to say about them.
MAGIC = [
    (b"PK\x03\x04", gettext_lazy("a ZIP archive or an Excel workbook")),
    (b"\xd0\xcf\x11\xe0", gettext_lazy("an old Excel or Word document")),
    (b"%PDF", gettext_lazy("a PDF document")),
    (b"\x89PNG", gettext_lazy("a PNG image")),
    (b"\xff\xd8\xff", gettext_lazy("a JPEG image")),
    (b"GIF8", gettext_lazy("a GIF image")),
    (b"\x1f\x8b", gettext_lazy("a compressed (gzip) file")),
    (b"{\\rtf", gettext_lazy("a rich-text document")),
]
SAVE_AS_CSV = gettext_lazy(
    "Open it in Excel, Numbers or Google Sheets and save or download it as CSV, then upload "
    "that file."
)


class ImportFileError(ValidationError):
    """A file that cannot be imported, with the reason in words a student understands."""


def kind_from_name(filename: str) -> str:
    """'csv' or 'vcard' from the file's extension; anything else is refused."""
    extension = os.path.splitext(filename or "")[1].lower()
    if extension in CSV_EXTENSIONS:
        return "csv"
    if extension in VCARD_EXTENSIONS:
        return "vcard"
    if extension in {".xlsx", ".xls", ".numbers", ".ods"}:
        raise ImportFileError(
            _("“%(filename)s” is a spreadsheet, not a CSV file.") % {"filename": filename}
            + f" {SAVE_AS_CSV}"
        )
    raise ImportFileError(
        _(
            "“%(filename)s” cannot be imported: choose a CSV file (.csv, such as LinkedIn's "
            "Connections.csv or a Google or Outlook export) or a vCard file (.vcf)."
        )
        % {"filename": filename}
    )


def check_size(filename: str, data: bytes) -> None:
    if len(data) > MAX_BYTES:
        size = len(data) / 1024 / 1024
        raise ImportFileError(
            _(
                "“%(filename)s” is %(size)s MB; files up to 5 MB can be imported. Split it into "
                "smaller files and import them one after the other."
            )
            % {"filename": filename, "size": f"{size:.1f}"}
        )
    if not data.strip():
        raise ImportFileError(_("“%(filename)s” is empty.") % {"filename": filename})


def check_magic(filename: str, data: bytes) -> None:
    for signature, what in MAGIC:
        if data.startswith(signature):
            raise ImportFileError(
                _("“%(filename)s” is named like a contacts file but is %(what)s.")
                % {"filename": filename, "what": what}
                + f" {SAVE_AS_CSV}"
            )


def _looks_like_utf16(data: bytes) -> str | None:
    """UTF-16 without a byte-order mark: ASCII text has a zero in every other byte."""
    sample = data[:400]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > len(odd) * 0.4 and even.count(0) < len(even) * 0.1:
        return "utf-16-le"
    if even.count(0) > len(even) * 0.4 and odd.count(0) < len(odd) * 0.1:
        return "utf-16-be"
    return None


# Encodings a student can choose on the preview (codec name as codecs.lookup spells it, label),
# and the ones detection considers for a file that is not Unicode.
ENCODINGS = [
    ("utf-8", gettext_lazy("Unicode (UTF-8)")),
    ("utf-8-sig", gettext_lazy("Unicode (UTF-8 with a byte-order mark)")),
    ("utf-16", gettext_lazy("Unicode (UTF-16)")),
    ("utf-16-le", gettext_lazy("Unicode (UTF-16, little-endian)")),
    ("utf-16-be", gettext_lazy("Unicode (UTF-16, big-endian)")),
    ("cp1252", gettext_lazy("Western European (Windows-1252)")),
    ("iso8859-1", gettext_lazy("Western European (ISO-8859-1)")),
    ("iso8859-15", gettext_lazy("Western European (ISO-8859-15)")),
    ("mac-roman", gettext_lazy("Western European (Mac OS Roman)")),
    ("cp1250", gettext_lazy("Central European (Windows-1250)")),
    ("iso8859-2", gettext_lazy("Central European (ISO-8859-2)")),
    ("mac-latin2", gettext_lazy("Central European (Mac OS)")),
    ("cp1257", gettext_lazy("Baltic (Windows-1257)")),
    ("cp1254", gettext_lazy("Turkish (Windows-1254)")),
    ("cp1253", gettext_lazy("Greek (Windows-1253)")),
    ("cp1251", gettext_lazy("Cyrillic (Windows-1251)")),
    ("koi8-r", gettext_lazy("Cyrillic (KOI8-R)")),
    ("shift_jis", gettext_lazy("Japanese (Shift JIS)")),
    ("gb18030", gettext_lazy("Chinese, simplified (GB 18030)")),
    ("big5", gettext_lazy("Chinese, traditional (Big5)")),
    ("euc_kr", gettext_lazy("Korean (EUC-KR)")),
]
ENCODING_LABELS = dict(ENCODINGS)
UNICODE = {"utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"}
# Single-byte encodings first, in the order that breaks a tie between equally likely readings
# (Windows exports are the most common).
DETECTABLE = [name for name, _label in ENCODINGS if name not in UNICODE and name != "iso8859-1"]
SAMPLE_BYTES = 64 * 1024
# Quotes, apostrophes and dashes do sit next to letters; other symbols, punctuation and
# numbers glued to a letter are what a name read in the wrong encoding looks like ("£ukasz",
# "Wi¶niewska": ISO-8859-2 read as Windows-1252).
_TYPOGRAPHY_CATEGORIES = {"Pi", "Pf", "Pd"}
_TYPOGRAPHY = {
    "\N{SINGLE LOW-9 QUOTATION MARK}",
    "\N{DOUBLE LOW-9 QUOTATION MARK}",
    "\N{HORIZONTAL ELLIPSIS}",
    "\N{MIDDLE DOT}",
    "\N{BULLET}",
}
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_C1_CONTROLS = re.compile("[\x80-\x9f]")


def encoding_label(name: str) -> str:
    return ENCODING_LABELS.get(name, name)


def canonical_encoding(name: str) -> str | None:
    """The codec's name as ENCODINGS spells it, or None for an unknown encoding."""
    try:
        return codecs.lookup(name).name
    except (LookupError, TypeError):
        return None


def _sample(data: bytes) -> bytes:
    """The lines with a byte above ASCII (what tells encodings apart), up to SAMPLE_BYTES."""
    lines, size, position = [], 0, 0
    while size < SAMPLE_BYTES:
        found = _NON_ASCII.search(data, position)
        if found is None:
            break
        start = data.rfind(b"\n", 0, found.start()) + 1
        end = data.find(b"\n", found.start())
        end = len(data) if end == -1 else end
        lines.append(data[start:end])
        size += end - start + 1
        position = end + 1
    return b"\n".join(lines)[:SAMPLE_BYTES]


def _is_other_script(char: str) -> bool:
    return char.isalpha() and not unicodedata.name(char, "").startswith("LATIN")


def _is_odd(char: str) -> bool:
    """Not a letter, not a space, not usual typography: odd next to a letter."""
    if char < "\x80" or char in _TYPOGRAPHY:
        return False
    category = unicodedata.category(char)
    return category[0] in "SPN" and category not in _TYPOGRAPHY_CATEGORIES


def _oddities(text: str) -> int:
    """How unlike names and words a decoded text looks: control characters, symbols glued to
    letters ("£ukasz" is ISO-8859-2 read as Windows-1252), a capital inside a lower-case word
    ("MŸller": Mac OS Roman read as Windows-1252), a word mixing Latin letters with another
    script ("ｳkasz")."""
    score = 0
    previous = " "
    for char in text:
        if char >= "\x80":
            category = unicodedata.category(char)
            if char <= "\x9f" or category in ("Cc", "Co", "Cn"):
                score += 5
            elif category == "Lu" and previous.islower():
                score += 1
            if _is_odd(char) and previous.isalpha():
                score += 1
        if char.isalpha() and previous.isalpha() and (char >= "\x80" or previous >= "\x80"):
            if (char.isascii() and _is_other_script(previous)) or (
                previous.isascii() and _is_other_script(char)
            ):
                score += 1
        elif char.isalpha() and _is_odd(previous):
            score += 1
        previous = char
    return score


def detect_encoding(data: bytes) -> list[str]:
    """Encodings for a file that is not Unicode, the likeliest first.

    charset-normalizer proposes the candidates and their order; a contact file is mostly ASCII
    with a few names, too little for its statistics, so the readings are then ranked by how
    much the decoded names look like names (see _oddities), charset-normalizer's order
    breaking ties (after Windows-1252). Encodings that read the file identically rank in
    DETECTABLE's order."""
    sample = _sample(data)
    if not sample:
        return ["cp1252"]
    proposed: list[str] = []
    for match in charset_normalizer.from_bytes(sample, cp_isolation=[*DETECTABLE]):
        for name in [match.encoding, *match.could_be_from_charset]:
            canonical = canonical_encoding(name)
            if canonical in DETECTABLE and canonical not in proposed:
                proposed.append(canonical)
    readings: dict[str, list[str]] = {}
    for name in DETECTABLE:
        try:
            readings.setdefault(sample.decode(name), []).append(name)
        except UnicodeDecodeError:
            continue
    ranked = []
    for text, names in readings.items():
        rank = min((proposed.index(n) for n in names if n in proposed), default=len(proposed))
        # On a tie Windows-1252 wins, the most common export that is not Unicode.
        western = "cp1252" not in names
        ranked.append((_oddities(text), western, rank, DETECTABLE.index(names[0]), names))
    return [name for *_, names in sorted(ranked) for name in names]


def decode(filename: str, data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The file's text and the encoding it was in: the one given (the student's choice), else
    UTF-8 (with or without a byte-order mark) or UTF-16, else the encoding detect_encoding
    finds likeliest; a file no encoding reads is refused with a message."""
    if encoding:
        encoding = canonical_encoding(encoding) or encoding
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, UnicodeError, LookupError):
            raise ImportFileError(
                _(
                    "“%(filename)s” cannot be read as %(encoding)s: it has bytes that encoding "
                    "does not have. Choose another encoding."
                )
                % {"filename": filename, "encoding": encoding_label(encoding)}
            ) from None
        return text.removeprefix("\ufeff"), encoding
    attempts: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        attempts.append("utf-8-sig")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        attempts.append("utf-16")
    else:
        utf16 = _looks_like_utf16(data)
        if utf16:
            attempts.append(utf16)
        attempts.append("utf-8")
    for name in attempts:
        try:
            text = data.decode(name)
        except (UnicodeDecodeError, UnicodeError):
            continue
        if "\x00" in text:
            continue
        return text.removeprefix("\ufeff"), name
    if b"\x00" not in data[:SAMPLE_BYTES]:
        for name in detect_encoding(data):
            try:
                text = data.decode(name)
            except UnicodeDecodeError:
                continue
            if not _C1_CONTROLS.search(text):  # never in text: bytes of another encoding
                return text, name
    raise ImportFileError(
        _(
            "“%(filename)s” is not a text file Rapport can read (it is not UTF-8, UTF-16 or any "
            "encoding Rapport recognises). Export it again as CSV UTF-8 or as vCard."
        )
        % {"filename": filename}
    )


def check_content(filename: str, kind: str, text: str) -> None:
    """The content must be what the name says: vCards in a .vcf, a table in a .csv."""
    head = text.lstrip()[:2000].lower()
    if head.startswith(("<!doctype html", "<html", "<?xml")):
        raise ImportFileError(
            _(
                "“%(filename)s” is a web page or XML document, not a contacts file. Download the "
                "export again and upload the file itself."
            )
            % {"filename": filename}
        )
    if head.startswith("{") or head.startswith("[{"):
        raise ImportFileError(
            _("“%(filename)s” is a JSON file, not CSV or vCard.") % {"filename": filename}
        )
    if kind == "csv" and head.startswith("begin:vcard"):
        raise ImportFileError(
            _(
                "“%(filename)s” contains vCards, not CSV. Rename it to end in .vcf and upload it "
                "again."
            )
            % {"filename": filename}
        )
    if kind == "vcard" and "begin:vcard" not in text[:MAX_BYTES].lower():
        raise ImportFileError(
            _(
                "“%(filename)s” is named as a vCard file but contains no card (no BEGIN:VCARD). "
                "If it is a CSV export, rename it to end in .csv."
            )
            % {"filename": filename}
        )


def read_text(filename: str, data: bytes, encoding: str | None = None) -> tuple[str, str, str]:
    """(kind, text, encoding) after every check, or ImportFileError. ``encoding`` reads the
    file in that encoding instead of detecting it."""
    kind = kind_from_name(filename)
    check_size(filename, data)
    check_magic(filename, data)
    text, encoding = decode(filename, data, encoding)
    check_content(filename, kind, text)
    return kind, text, encoding


def estimate_rows(kind: str, data: bytes) -> int:
    """A cheap upper bound on the number of rows, to choose between inline and a task."""
    if kind == "vcard":
        return data.upper().count(b"BEGIN:VCARD") or data.upper().count(b"B\x00E\x00G\x00I\x00N")
    return max(data.count(b"\n"), data.count(b"\n\x00"), data.count(b"\x00\n"))
