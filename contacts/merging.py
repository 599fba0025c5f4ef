"""What merging one person's details into a contact changes: planned once, then applied.

``plan_merge(current, incoming)`` is the one rule, a pure function of two dicts of fields
(``contact_fields``): it returns a ``MergePlan``, which the pages show (``plan.changes``) and the
writes apply (``plan.applied_to`` and ``plan.notes_after``), so a preview and the merge cannot
disagree. A merge never drops a value: an empty field is filled; a field that already holds
something else keeps it, and the incoming value goes into the notes under a label (a contact
has one email, one phone and one LinkedIn field); the incoming notes are added unless they are
there already; tags are added.

Used by imports (a row into a contact, or a later row of the file into an earlier one) and by
merging two contacts (``contacts.services.people.contact_merge`` and its preview page).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from contacts.models import Cadence, Contact, Relationship, normalize_organization_name
from contacts.selectors.people import _normalize_person_name, normalize_linkedin_url

FILL = "fill"  # the contact's field was empty: it takes the incoming value
NOTE = "note"  # the contact's field holds something else: the incoming value goes to the notes
TAGS = "tags"  # tags the contact does not have yet
NOTES = "notes"  # the incoming notes, added under the contact's
DATE = "date"  # the day they connected, added to the history if it is not there yet

# (field, label, label of the note line when the contact already has another value)
FIELDS = [
    ("name", _("Name"), _("Also known as")),
    ("email", _("Email"), _("Other email addresses")),
    ("phone", _("Phone"), _("Other phone numbers")),
    ("linkedin_url", _("LinkedIn profile"), _("Other LinkedIn profiles")),
    ("organization", _("Organization"), _("Other organization")),
    ("title", _("Job title"), _("Other job title")),
    ("industry", _("Industry"), _("Other industry")),
    ("how_met", _("How you met"), _("Also met")),
]
# Text fields a merge may fill on the contact itself (the name is never empty; the
# organization is a foreign key, filled by name).
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


@dataclass(frozen=True)
class MergePlan:
    """What merging one set of details into a contact changes, field by field."""

    changes: tuple[Change, ...] = ()
    tags: tuple[str, ...] = ()  # tags to add, in the incoming order
    connected_on: str = ""  # an ISO date to add to the history, if any

    @property
    def fills(self) -> dict[str, object]:
        """Empty fields and the values they take (the rhythm as a number of days)."""
        return {
            c.field: int(c.value) if c.field == "cadence_days" else c.value
            for c in self.changes
            if c.kind == FILL
        }

    def notes_after(self, notes: str) -> str:
        return merged_notes(
            notes,
            added=[c.value for c in self.changes if c.kind == NOTES],
            kept=[c.note for c in self.changes if c.kind == NOTE],
        )

    def applied_to(self, current: dict) -> dict:
        """``current`` (fields as ``contact_fields`` gives them) once merged."""
        result = {**current, **self.fills}
        result["notes"] = self.notes_after(current.get("notes") or "")
        result["tags"] = [*(current.get("tags") or []), *self.tags]
        return result


def merged_notes(notes: str, *, added: Iterable[str] = (), kept: Iterable[str] = ()) -> str:
    """The notes after a merge: the contact's, then the incoming notes, then the values kept
    under a label, one per line."""
    parts = [notes.strip()] if notes.strip() else []
    parts += [text for text in added if text]
    lines = [line for line in kept if line]
    if lines:
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


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


@dataclass
class _Planner:
    notes: str
    changes: list[Change] = field(default_factory=list)

    def note(self, name: str, label: str, line: str, value: str) -> None:
        if line not in self.notes:  # an earlier merge already kept it
            self.changes.append(Change(name, label, NOTE, value, line))


def plan_merge(current: dict, incoming: dict) -> MergePlan:
    """What merging ``incoming`` into ``current`` changes. Both are dicts of fields: name,
    email, phone, linkedin_url, organization (a name), title, industry, how_met, relationship,
    cadence_days, notes, tags (a list of names) and, for an imported row, connected_on."""
    planner = _Planner(current.get("notes") or "")
    for name, label, note_label in FIELDS:
        new = " ".join(str(incoming.get(name) or "").split())
        if not new:
            continue
        old = str(current.get(name) or "")
        if not old and name != "name":
            planner.changes.append(Change(name, label, FILL, new))
        elif not _same(name, old, new):
            planner.note(name, label, f"{note_label}: {new}", new)
    relationship = incoming.get("relationship") or ""
    if relationship not in ("", Relationship.OTHER, current.get("relationship")):
        shown = RELATIONSHIP_LABELS.get(relationship, relationship)
        line = _("Other relationship: %(relationship)s") % {"relationship": shown}
        planner.note("relationship", _("How you know them"), line, shown)
    cadence = int(incoming.get("cadence_days") or 0)
    if cadence and not current.get("cadence_days"):
        planner.changes.append(Change("cadence_days", _("Stay in touch"), FILL, str(cadence)))
    elif cadence and int(current["cadence_days"]) != cadence:
        shown = str(CADENCE_LABELS.get(cadence, cadence))
        line = _("Other stay-in-touch rhythm: %(rhythm)s") % {"rhythm": shown}
        planner.note("cadence_days", _("Stay in touch"), line, shown)
    added_notes = (incoming.get("notes") or "").strip()
    if added_notes and added_notes not in planner.notes:
        planner.changes.append(Change("notes", _("Notes"), NOTES, added_notes))
    have = set(current.get("tags") or [])
    new_tags = tuple(t for t in incoming.get("tags") or [] if t not in have)
    if new_tags:
        planner.changes.append(Change("tags", _("Tags"), TAGS, ", ".join(new_tags)))
    connected_on = incoming.get("connected_on") or ""
    if connected_on:
        planner.changes.append(Change("connected_on", _("Connected on"), DATE, connected_on))
    return MergePlan(tuple(planner.changes), new_tags, connected_on)


def contact_fields(contact: Contact, organization_name: str, tag_names: Iterable[str]) -> dict:
    """A Contact as plan_merge takes it."""
    return {
        "name": contact.name,
        **{name: getattr(contact, name) for name in FILLABLE},
        "organization": organization_name,
        "relationship": contact.relationship,
        "cadence_days": contact.cadence_days,
        "notes": contact.notes,
        "tags": sorted(tag_names),
    }


# --- Merging two contacts ---------------------------------------------------------------------


def fields_of(contact: Contact) -> dict:
    """contact_fields, reading the organization and tags (prefetch them for a list)."""
    organization = contact.organization.name if contact.organization_id else ""
    return contact_fields(contact, organization, [t.name for t in contact.tags.all()])


def merged_referrer(keep: Contact, other: Contact) -> Contact | None:
    """Who referred the contact after merging ``other`` into ``keep``: the kept contact's
    referrer wins, and neither may end up referred by the pair itself."""
    if keep.referred_by_id:
        return keep.referred_by if keep.referred_by_id != other.pk else None
    return other.referred_by if other.referred_by_id not in (None, keep.pk) else None


def contact_merge_preview(*, keep: Contact, other: Contact) -> list[dict]:
    """Each detail of both contacts and after the merge, from the plan the merge applies."""
    mine, theirs = fields_of(keep), fields_of(other)
    after = plan_merge(mine, theirs).applied_to(mine)

    def cadence(fields: dict) -> str:
        days = fields["cadence_days"]
        return str(CADENCE_LABELS.get(days, days)) if days else ""

    def relationship(fields: dict) -> str:
        return str(RELATIONSHIP_LABELS.get(fields["relationship"], fields["relationship"]))

    rows = [
        (_("Name"), "name"),
        (_("Organization"), "organization"),
        (_("Job title"), "title"),
        (_("Industry"), "industry"),
        (_("Email"), "email"),
        (_("Phone"), "phone"),
        (_("LinkedIn"), "linkedin_url"),
    ]
    shown = [(label, mine[name], theirs[name], after[name]) for label, name in rows]
    referrer = merged_referrer(keep, other)
    shown += [
        (_("How you know them"), relationship(mine), relationship(theirs), relationship(after)),
        (_("How you met"), mine["how_met"], theirs["how_met"], after["how_met"]),
        (_("Referred by"), keep.referred_by or "", other.referred_by or "", referrer or ""),
        (_("Stay in touch"), cadence(mine), cadence(theirs), cadence(after)),
        (
            _("Tags"),
            ", ".join(mine["tags"]),
            ", ".join(theirs["tags"]),
            ", ".join(sorted(after["tags"])),
        ),
        (_("Notes"), mine["notes"], theirs["notes"], after["notes"]),
    ]
    return [
        {"label": label, "keep": keep_value, "other": other_value, "result": result}
        for label, keep_value, other_value, result in shown
    ]
