"""Checks on an uploaded file before any parsing: type, size, encoding, content vs name."""

from __future__ import annotations

import codecs
import os

from django.core.exceptions import ValidationError

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
CSV_EXTENSIONS = {".csv"}
VCARD_EXTENSIONS = {".vcf", ".vcard"}

# Signatures of files students upload by mistake, and what to say about them.
MAGIC = [
    (b"PK\x03\x04", "a ZIP archive or an Excel workbook"),
    (b"\xd0\xcf\x11\xe0", "an old Excel or Word document"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a compressed (gzip) file"),
    (b"{\\rtf", "a rich-text document"),
]
SAVE_AS_CSV = (
    " Open it in Excel, Numbers or Google Sheets and save or download it as CSV, then upload "
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
        raise ImportFileError(f"“{filename}” is a spreadsheet, not a CSV file." + SAVE_AS_CSV)
    raise ImportFileError(
        f"“{filename}” cannot be imported: choose a CSV file (.csv, such as LinkedIn's "
        "Connections.csv or a Google or Outlook export) or a vCard file (.vcf)."
    )


def check_size(filename: str, data: bytes) -> None:
    if len(data) > MAX_BYTES:
        size = len(data) / 1024 / 1024
        raise ImportFileError(
            f"“{filename}” is {size:.1f} MB; files up to 5 MB can be imported. Split it into "
            "smaller files and import them one after the other."
        )
    if not data.strip():
        raise ImportFileError(f"“{filename}” is empty.")


def check_magic(filename: str, data: bytes) -> None:
    for signature, what in MAGIC:
        if data.startswith(signature):
            raise ImportFileError(
                f"“{filename}” is named like a contacts file but is {what}." + SAVE_AS_CSV
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


def decode(filename: str, data: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was in: UTF-8 (with or without a byte-order mark),
    UTF-16, then Windows-1252; anything else is refused with a message."""
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
    attempts.append("cp1252")
    for encoding in attempts:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, UnicodeError):
            continue
        if "\x00" in text:
            continue
        return text.removeprefix("\ufeff"), encoding
    raise ImportFileError(
        f"“{filename}” is not a text file Rapport can read (it is not UTF-8, UTF-16 or "
        "Windows-1252 text). Export it again as CSV UTF-8 or as vCard."
    )


def check_content(filename: str, kind: str, text: str) -> None:
    """The content must be what the name says: vCards in a .vcf, a table in a .csv."""
    head = text.lstrip()[:2000].lower()
    if head.startswith(("<!doctype html", "<html", "<?xml")):
        raise ImportFileError(
            f"“{filename}” is a web page or XML document, not a contacts file. Download the "
            "export again and upload the file itself."
        )
    if head.startswith("{") or head.startswith("[{"):
        raise ImportFileError(f"“{filename}” is a JSON file, not CSV or vCard.")
    if kind == "csv" and head.startswith("begin:vcard"):
        raise ImportFileError(
            f"“{filename}” contains vCards, not CSV. Rename it to end in .vcf and upload it again."
        )
    if kind == "vcard" and "begin:vcard" not in text[:MAX_BYTES].lower():
        raise ImportFileError(
            f"“{filename}” is named as a vCard file but contains no card (no BEGIN:VCARD). "
            "If it is a CSV export, rename it to end in .csv."
        )


def read_text(filename: str, data: bytes) -> tuple[str, str, str]:
    """(kind, text, encoding) after every check, or ImportFileError."""
    kind = kind_from_name(filename)
    check_size(filename, data)
    check_magic(filename, data)
    text, encoding = decode(filename, data)
    check_content(filename, kind, text)
    return kind, text, encoding


def estimate_rows(kind: str, data: bytes) -> int:
    """A cheap upper bound on the number of rows, to choose between inline and a task."""
    if kind == "vcard":
        return data.upper().count(b"BEGIN:VCARD") or data.upper().count(b"B\x00E\x00G\x00I\x00N")
    return max(data.count(b"\n"), data.count(b"\n\x00"), data.count(b"\x00\n"))
