"""What merging an imported row into a contact changes, field by field.

One function decides (``merge_changes``) and one applies (``merged_notes`` plus the filled
fields), so the preview lists exactly what the commit does. A merge never drops a value: an
empty field is filled; a field that already holds something else keeps it, and the imported
value goes into the notes under a label (the contact has one email, one phone and one LinkedIn
field).
"""

from __future__ import annotations

from dataclasses import dataclass

from contacts.models import Cadence, Relationship, normalize_organization_name
from contacts.selectors import _normalize_person_name, normalize_linkedin_url

FILL = "fill"  # the contact's field was empty: it takes the imported value
NOTE = "note"  # the contact's field holds something else: the imported value goes to the notes
TAGS = "tags"  # tags the contact does not have yet
NOTES = "notes"  # the row's notes, added under the contact's
DATE = "date"  # the day they connected, added to the history if it is not there yet

# (field, label, label of the note line when the contact already has another value)
FIELDS = [
    ("name", "Name", "Also known as"),
    ("email", "Email", "Other email addresses"),
    ("phone", "Phone", "Other phone numbers"),
    ("linkedin_url", "LinkedIn profile", "Other LinkedIn profiles"),
    ("organization", "Organization", "Other organization"),
    ("title", "Job title", "Other job title"),
    ("industry", "Industry", "Other industry"),
    ("how_met", "How you met", "Also met"),
]
# Fields a merge may fill (the name is never empty; the organization is a foreign key).
FILLABLE = ["email", "phone", "linkedin_url", "title", "industry", "how_met"]
RELATIONSHIP_LABELS = dict(Relationship.choices)
CADENCE_LABELS = dict(Cadence.choices)


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    kind: str
    value: str
    note: str = ""  # the line written into the notes, for kind NOTE

    @property
    def is_fill(self) -> bool:
        return self.kind == FILL


def _same(field: str, old: str, new: str) -> bool:
    if field == "email":
        return old.casefold() == new.casefold()
    if field == "linkedin_url":
        return normalize_linkedin_url(old) == normalize_linkedin_url(new)
    if field == "organization":
        return normalize_organization_name(old) == normalize_organization_name(new)
    if field == "name":
        return _normalize_person_name(old) == _normalize_person_name(new)
    return " ".join(old.split()).casefold() == " ".join(new.split()).casefold()


def merge_changes(current: dict, incoming: dict) -> list[Change]:
    """What merging ``incoming`` (a row's data) into ``current`` (the contact's fields as a
    dict: name, email, ..., organization as a name, relationship, cadence_days, notes and tags
    as a list of names) changes."""
    changes: list[Change] = []
    notes = current.get("notes") or ""

    def note(field: str, label: str, line: str, value: str) -> None:
        if line not in notes:  # an earlier merge of the same file already kept it
            changes.append(Change(field, label, NOTE, value, line))

    for field, label, note_label in FIELDS:
        new = " ".join(str(incoming.get(field) or "").split())
        if not new:
            continue
        old = str(current.get(field) or "")
        if not old and field != "name":
            changes.append(Change(field, label, FILL, new))
        elif not _same(field, old, new):
            note(field, label, f"{note_label}: {new}", new)
    relationship = incoming.get("relationship") or ""
    if relationship not in ("", Relationship.OTHER, current.get("relationship")):
        shown = RELATIONSHIP_LABELS.get(relationship, relationship)
        note("relationship", "How you know them", f"Other relationship: {shown}", shown)
    cadence = int(incoming.get("cadence_days") or 0)
    if cadence:
        if not current.get("cadence_days"):
            changes.append(Change("cadence_days", "Stay in touch", FILL, str(cadence)))
        elif int(current["cadence_days"]) != cadence:
            shown = str(CADENCE_LABELS.get(cadence, cadence))
            note("cadence_days", "Stay in touch", f"Other stay-in-touch rhythm: {shown}", shown)
    added_notes = (incoming.get("notes") or "").strip()
    if added_notes and added_notes not in notes:
        changes.append(Change("notes", "Notes", NOTES, added_notes))
    have = set(current.get("tags") or [])
    new_tags = [t for t in incoming.get("tags") or [] if t not in have]
    if new_tags:
        changes.append(Change("tags", "Tags", TAGS, ", ".join(new_tags)))
    if incoming.get("connected_on"):
        changes.append(Change("connected_on", "Connected on", DATE, incoming["connected_on"]))
    return changes


def merged_notes(notes: str, changes: list[Change]) -> str:
    """The contact's notes after the merge: the row's notes, then the values kept under a
    label."""
    parts = [notes.strip()] if notes.strip() else []
    parts += [c.value for c in changes if c.kind == NOTES]
    lines = [c.note for c in changes if c.kind == NOTE]
    if lines:
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def contact_fields(contact, organization_name: str, tag_names: list[str]) -> dict:
    """A Contact as merge_changes compares it with a row."""
    return {
        "name": contact.name,
        **{name: getattr(contact, name) for name in FILLABLE},
        "organization": organization_name,
        "relationship": contact.relationship,
        "cadence_days": contact.cadence_days,
        "notes": contact.notes,
        "tags": tag_names,
    }


def apply_to_dict(current: dict, incoming: dict) -> dict:
    """``current`` (a dict as merge_changes takes it) after merging ``incoming``."""
    changes = merge_changes(current, incoming)
    result = dict(current)
    for change in changes:
        if change.kind == FILL:
            result[change.field] = (
                int(change.value) if change.field == "cadence_days" else change.value
            )
    result["notes"] = merged_notes(current.get("notes") or "", changes)
    result["tags"] = list(current.get("tags") or []) + [
        t for t in incoming.get("tags") or [] if t not in set(current.get("tags") or [])
    ]
    return result
