"""CSV exports: LinkedIn, Google Contacts (current and legacy), Outlook, Rapport, any other.

Columns are always found by their header's name, never by position: Google writes as many
"E-mail n - Value" and "Phone n - Value" columns as the busiest contact needs, and exports
from different versions order them differently.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contacts.exports.contacts import CSV_HEADER
from contacts.imports.files import MAX_ROWS, ImportFileError
from contacts.imports.models import ImportFormat
from contacts.imports.records import RawRecord, split_tags

# Rapport's own export, recognised as a known layout (one definition for both directions).
RAPPORT_HEADER = CSV_HEADER
HEADER_SEARCH_ROWS = 40
# Fields a column can be mapped to (the mapping step for CSVs of unknown shape).
MAPPABLE_FIELDS = [
    ("", _("Leave out")),
    ("name", _("Full name")),
    ("first_name", _("First name")),
    ("middle_name", _("Middle name")),
    ("last_name", _("Last name")),
    ("emails", _("Email")),
    ("phones", _("Phone")),
    ("organization", _("Organization")),
    ("title", _("Job title")),
    ("industry", _("Industry")),
    ("linkedin_url", _("LinkedIn profile")),
    ("websites", _("Other website")),
    ("relationship", _("How you know them")),
    ("how_met", _("How and where you met")),
    ("tags", _("Tags")),
    ("notes", _("Notes")),
    ("connected_on", _("Date you connected")),
    ("cadence", _("Stay in touch")),
]
MAPPABLE = {name for name, _label in MAPPABLE_FIELDS if name}
LIST_FIELDS = {"emails", "phones", "websites", "tags"}

# Header names (lower case, single spaces) -> field, shared by every layout.
SYNONYMS = {
    "name": "name",
    "full name": "name",
    "display name": "name",
    "contact name": "name",
    "first name": "first_name",
    "given name": "first_name",
    "firstname": "first_name",
    "middle name": "middle_name",
    "additional name": "middle_name",
    "last name": "last_name",
    "family name": "last_name",
    "surname": "last_name",
    "lastname": "last_name",
    "name suffix": "suffix",
    "suffix": "suffix",
    "email": "emails",
    "e-mail": "emails",
    "email address": "emails",
    "e-mail address": "emails",
    "mail": "emails",
    "phone": "phones",
    "phone number": "phones",
    "telephone": "phones",
    "mobile": "phones",
    "cell": "phones",
    "company": "organization",
    "company name": "organization",
    "organization": "organization",
    "organisation": "organization",
    "organization name": "organization",
    "organization 1 - name": "organization",
    "employer": "organization",
    "title": "title",
    "job title": "title",
    "position": "title",
    "role": "title",
    "organization title": "title",
    "organization 1 - title": "title",
    "industry": "industry",
    "linkedin url": "linkedin_url",
    "linkedin": "linkedin_url",
    "linkedin profile": "linkedin_url",
    "profile url": "linkedin_url",
    "website": "websites",
    "web page": "websites",
    "url": "websites",
    "relationship": "relationship",
    "how we met": "how_met",
    "how met": "how_met",
    "tags": "tags",
    "labels": "tags",
    "group membership": "tags",
    "categories": "tags",
    "notes": "notes",
    "note": "notes",
    "comments": "notes",
    "connected on": "connected_on",
    "stay in touch": "cadence",
}
PATTERNS = [
    (re.compile(r"^e-?mail \d+ - value$"), "emails"),
    (re.compile(r"^e-?mail \d+ address$"), "emails"),
    (re.compile(r"^e-?mail \d+$"), "emails"),
    (re.compile(r"^phone \d+ - value$"), "phones"),
    (
        re.compile(r"^(primary|home|mobile|business|other|work|car|company main) phone( \d+)?$"),
        "phones",
    ),
    (re.compile(r"^website \d+ - value$"), "websites"),
]
# Google's automatic labels are not the student's tags.
SYSTEM_LABELS = {"mycontacts", "starred", "othercontacts"}


def normalize_header(text: str) -> str:
    return " ".join((text or "").replace("\ufeff", "").split()).casefold()


def detect_layout(headers: list[str]) -> str | None:
    names = {normalize_header(h) for h in headers}
    if {"name", "linkedin url", "how we met", "relationship"} <= names:
        return ImportFormat.RAPPORT
    if {"first name", "last name"} <= names and (
        "connected on" in names or {"url", "company", "position"} <= names
    ):
        return ImportFormat.LINKEDIN
    if (
        any(re.match(r"^(e-mail|phone|website) \d+ - (value|type|label)$", n) for n in names)
        or {
            "given name",
            "family name",
            "group membership",
        }
        & names
    ):
        return ImportFormat.GOOGLE
    if {"first name", "last name"} <= names and (
        {"e-mail address", "job title"} & names or "business phone" in names
    ):
        return ImportFormat.OUTLOOK
    return None


def column_field(header: str, layout: str | None) -> str | None:
    name = normalize_header(header)
    if layout == ImportFormat.LINKEDIN and name == "url":
        return "linkedin_url"
    if layout == ImportFormat.OUTLOOK and name == "title":
        return None  # Outlook's "Title" is Mr./Ms.; the job is "Job Title"
    if name in SYNONYMS:
        return SYNONYMS[name]
    for pattern, field_name in PATTERNS:
        if pattern.match(name):
            return field_name
    return None


def suggested_mapping(headers: list[str]) -> dict[str, str]:
    """Column index (as text) -> field, guessed from the header names."""
    mapping = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        field_name = column_field(header, None)
        if field_name == "suffix":
            field_name = None
        if field_name and (field_name in LIST_FIELDS or field_name not in taken):
            mapping[str(index)] = field_name
            taken.add(field_name)
    return mapping


def _delimiter(line: str) -> str:
    counts = dict.fromkeys(",;\t", 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass
class CsvTable:
    headers: list[str]
    layout: str | None
    header_line: int
    rows: list[tuple[int, list[str]]]  # (line where the row starts, cells)


def _is_blank(cells: list[str]) -> bool:
    return not any(c.strip() for c in cells)


def read_table(filename: str, text: str) -> CsvTable:
    """Find the header (after LinkedIn's "Notes:" preamble or any other lines before it) and
    read every row after it."""
    first_lines = [line for line in text.splitlines()[:HEADER_SEARCH_ROWS] if line.strip()]
    delimiter = ","
    for line in first_lines:
        if detect_layout(_split(line, _delimiter(line))):
            delimiter = _delimiter(line)
            break
    else:
        candidates = [line for line in first_lines if not line.lower().startswith("notes:")]
        if candidates:
            delimiter = _delimiter(candidates[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    all_rows: list[tuple[int, list[str]]] = []
    filled = 0
    line = 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            blank = _is_blank(cells)
            all_rows.append((start, [] if blank else cells))
            filled += not blank
            if filled > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise ImportFileError(_too_many(filename))
    except csv.Error as error:
        raise ImportFileError(
            gettext(
                "Line %(line)s of “%(filename)s” could not be read as CSV (%(error)s). Check "
                "that the file is a CSV export and that its quotes are balanced."
            )
            % {"line": line, "filename": filename, "error": error}
        ) from None
    header_at = None
    layout = None
    for position, (_line, cells) in enumerate(all_rows[:HEADER_SEARCH_ROWS]):
        layout = detect_layout(cells) if cells else None
        if layout:
            header_at = position
            break
    if header_at is None:
        # Unknown layout: the first line with two or more filled cells that is not a note.
        for position, (_line, cells) in enumerate(all_rows[:HEADER_SEARCH_ROWS]):
            if len([c for c in cells if c.strip()]) >= 2 and not cells[
                0
            ].strip().lower().startswith("notes:"):
                header_at = position
                break
    if header_at is None:
        if filled:
            raise ImportFileError(
                gettext(
                    "“%(filename)s” has no header line with column names (such as Name, Email, "
                    "Company). Add one as the first line and upload it again."
                )
                % {"filename": filename}
            )
        raise ImportFileError(
            gettext("“%(filename)s” has no contacts in it.") % {"filename": filename}
        )
    header_line, header = all_rows[header_at]
    rows = all_rows[header_at + 1 :]
    if sum(1 for _line, c in rows if c) > MAX_ROWS:
        raise ImportFileError(_too_many(filename))
    return CsvTable(headers=header, layout=layout, header_line=header_line, rows=rows)


def _too_many(filename: str) -> str:
    return gettext(
        "“%(filename)s” has more than %(limit)s contacts; import at most %(limit)s at a time "
        "(split the file)."
    ) % {"filename": filename, "limit": f"{MAX_ROWS:,}"}


def _split(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return []


def plan_for(headers: list[str], layout: str | None, mapping: dict | None) -> dict[int, str]:
    """Column index -> field. A mapping chosen by the student wins over any guess."""
    if mapping:
        plan = {}
        for key, field_name in mapping.items():
            if field_name not in MAPPABLE:
                continue
            index = _column_index(headers, key)
            if index is not None:
                plan[index] = field_name
        return plan
    found = []
    for index, header in enumerate(headers):
        field_name = column_field(header, layout)
        if field_name:
            number = re.search(r"\d+", normalize_header(header))
            found.append((int(number.group()) if number else 0, index, field_name))
    # "E-mail 1" before "E-mail 4", wherever the export put them.
    return {index: field_name for _, index, field_name in sorted(found)}


def _column_index(headers: list[str], key) -> int | None:
    if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
        index = int(key)
        return index if 0 <= index < len(headers) else None
    wanted = normalize_header(str(key))
    for index, header in enumerate(headers):
        if normalize_header(header) == wanted:
            return index
    return None


def records(table: CsvTable, plan: dict[int, str]) -> Iterator[RawRecord | None]:
    """One RawRecord per data row; None for a row of nothing (or only commas)."""
    tag_separators = (
        r"\s*:::\s*|;"
        if table.layout in (ImportFormat.GOOGLE, ImportFormat.OUTLOOK, ImportFormat.RAPPORT)
        else r";|,|:::"
    )
    for line, cells in table.rows:
        if not cells:
            yield None
            continue
        raw = RawRecord(line=line)
        for index, field_name in plan.items():
            if index >= len(cells):
                continue
            value = cells[index]
            if not value.strip():
                continue
            if field_name == "tags":
                raw.tags.extend(
                    t
                    for t in split_tags(value, tag_separators)
                    if t.lstrip("* ").casefold().replace(" ", "") not in SYSTEM_LABELS
                )
            elif field_name in LIST_FIELDS:
                getattr(raw, field_name).append(value)
            elif field_name == "notes" and raw.notes:
                raw.notes += "\n" + value.strip()
            elif not getattr(raw, field_name):
                setattr(raw, field_name, value.strip())
        if len(cells) > len(table.headers) and any(c.strip() for c in cells[len(table.headers) :]):
            extra = [c.strip() for c in cells[len(table.headers) :] if c.strip()]
            extra_line = gettext("Extra cells: %(cells)s") % {"cells": " | ".join(extra)}
            raw.notes = "\n".join([raw.notes, extra_line]).strip()
        if raw.is_empty():
            if any(c.strip() for c in cells):
                raw.notes = " | ".join(c.strip() for c in cells if c.strip())
                raw.broken = gettext("None of the columns you imported has a value on this row.")
            else:
                yield None
                continue
        yield raw
