"""An import as plans: pure functions of plain values, no database access.

- ``plan_import(rows, known)``: which of a file's cleaned rows are new, duplicates (of a contact
  the student has, or of an earlier row), possible duplicates, or invalid, with the reason.
  The preview stores it (contacts.imports.preview).
- ``plan_commit(rows, contacts, default)``: once the student has chosen, which rows become new
  contacts (with what later rows of the file merged into them), which merge into which
  existing contact (each a ``contacts.merging.MergePlan``, the rule the preview shows) and which
  are skipped. The commit writes it (contacts.imports.apply).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.imports.models import Decision, RowOutcome, RowStatus
from contacts.imports.records import CleanRow
from contacts.merging import MergePlan, plan_merge
from contacts.models import normalize_organization_name
from contacts.selectors.people import _normalize_person_name, normalize_linkedin_url


def organization_key(name: str) -> str:
    # Casefolding can lengthen a name ("ß" -> "ss"): cut to the column's size.
    return normalize_organization_name(name or "")[:200]


# --- Classifying the rows of a file ------------------------------------------------------------


class Known(NamedTuple):
    """A contact the student has, as the importer tells people apart."""

    pk: int
    email: str
    linkedin_url: str
    name: str
    organization: str  # the organization's normalized name


class _Person(NamedTuple):
    ref: int  # the contact's id, or the earlier row's position in the file
    email: str  # casefolded
    profile: str  # normalized LinkedIn address


@dataclass(frozen=True)
class PlannedRow:
    index: int  # 1-based position among the file's rows
    line: int
    data: dict
    warnings: list[str]
    status: str
    reason: str = ""
    match_contact_id: int | None = None
    match_row: int | None = None

    @property
    def is_possible_duplicate(self) -> bool:
        return self.status == RowStatus.NEW and bool(self.match_contact_id or self.match_row)


@dataclass(frozen=True)
class ImportPlan:
    rows: tuple[PlannedRow, ...]
    empty: int  # blank lines or cards left out

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)


WHY = {
    "email": gettext_lazy("same email address"),
    "profile": gettext_lazy("same LinkedIn profile"),
    "name": gettext_lazy("same name and organization"),
    "name_only": gettext_lazy("same name, and the line names no organization"),
}


def _already(why) -> str:
    return _("Already in your contacts (%(why)s).") % {"why": why}


def _same_as_line(line: int, why) -> str:
    return _("Same person as line %(line)s of this file (%(why)s).") % {"line": line, "why": why}


def _person(ref: int, email: str, url: str) -> _Person:
    return _Person(ref, (email or "").casefold(), normalize_linkedin_url(url) if url else "")


def _keys(person: _Person) -> list[tuple[str, str]]:
    return [
        (kind, key) for kind, key in (("email", person.email), ("profile", person.profile)) if key
    ]


def _difference(one: _Person, other: _Person) -> str:
    """Why two people with the same name and organization are not the same person: they have
    different identifiers. "" when nothing tells them apart."""
    if one.email and other.email and one.email != other.email:
        return _("a different email address")
    if one.profile and other.profile and one.profile != other.profile:
        return _("a different LinkedIn profile")
    return ""


@dataclass
class _Index:
    """People by identifying key and by name at organization: the student's contacts, or the
    rows of the file read so far."""

    by_key: dict[tuple[str, str], _Person] = field(default_factory=dict)
    by_name: dict[tuple[str, str], _Person] = field(default_factory=dict)
    # Everyone of a name, whatever their organization.
    named: dict[str, list[_Person]] = field(default_factory=dict)

    def add(self, person: _Person, name_key: tuple[str, str]) -> None:
        for key in _keys(person):
            self.by_key.setdefault(key, person)
        self.by_name.setdefault(name_key, person)
        self.named.setdefault(name_key[0], []).append(person)

    def only_one_named(self, name: str) -> _Person | None:
        """The one person of that name, if there is exactly one."""
        people = self.named.get(name, [])
        return people[0] if len(people) == 1 else None

    def same_key(self, person: _Person) -> tuple[str, _Person] | None:
        for kind, key in _keys(person):
            if (kind, key) in self.by_key:
                return kind, self.by_key[(kind, key)]
        return None


def plan_import(rows: Iterable[CleanRow | None], known: Iterable[Known]) -> ImportPlan:
    """Each row new, a duplicate or invalid. A row is the same person as a contact (or an
    earlier row) when they share an email address or a LinkedIn profile, or when they share a
    name and organization and nothing tells them apart; sharing only a name and organization
    with different identifiers makes a *possible* duplicate: a new row (added as a new contact
    unless the student chooses to merge) that names its look-alike. A line with a name alone is
    the one contact of that name, if there is exactly one. ``None`` is an empty line or card."""
    contacts = _Index()
    for contact in known:
        person = _person(contact.pk, contact.email, contact.linkedin_url)
        contacts.add(person, (_normalize_person_name(contact.name), contact.organization or ""))
    earlier = _Index()
    planned: list[PlannedRow] = []
    lines: dict[int, int] = {}  # position in the file -> line, for the reasons
    empty = 0
    for row in rows:
        if row is None:
            empty += 1
            continue
        index = len(planned) + 1
        lines[index] = row.line
        base = {"index": index, "line": row.line, "data": row.data, "warnings": row.warnings}
        if row.invalid:
            planned.append(PlannedRow(**base, status=RowStatus.INVALID, reason=row.invalid[:300]))
            continue
        person = _person(index, row.data.get("email") or "", row.data.get("linkedin_url") or "")
        name_key = (
            _normalize_person_name(row.data["name"]),
            organization_key(row.data.get("organization") or ""),
        )
        planned.append(PlannedRow(**base, **_match(person, name_key, contacts, earlier, lines)))
        earlier.add(person, name_key)
    return ImportPlan(tuple(planned), empty)


def _match(person, name_key, contacts: _Index, earlier: _Index, lines: dict) -> dict:
    """The row's status, match and reason (see plan_import)."""
    found = contacts.same_key(person)
    if found:
        kind, match = found
        reason = _already(WHY[kind])
        return {"status": RowStatus.DUPLICATE, "match_contact_id": match.ref, "reason": reason}
    found = earlier.same_key(person)
    if found:
        kind, match = found
        reason = _same_as_line(lines[match.ref], WHY[kind])
        return {"status": RowStatus.DUPLICATE, "match_row": match.ref, "reason": reason}
    existing = contacts.by_name.get(name_key)
    if existing:
        difference = _difference(person, existing)
        if difference:
            reason = _(
                "Possible duplicate: same name and organization as a contact you have, but "
                "%(difference)s. Added as a new contact unless you merge it."
            ) % {"difference": difference}
            return {"status": RowStatus.NEW, "match_contact_id": existing.ref, "reason": reason}
        reason = _already(WHY["name"])
        return {"status": RowStatus.DUPLICATE, "match_contact_id": existing.ref, "reason": reason}
    # A line with a name alone (no organization, no email, no profile) is the one contact of
    # that name, whatever organization an earlier import or merge gave them: importing the
    # same file again must not add them a second time.
    alone = not name_key[1] and not _keys(person)
    existing = contacts.only_one_named(name_key[0]) if alone else None
    if existing:
        reason = _already(WHY["name_only"])
        return {"status": RowStatus.DUPLICATE, "match_contact_id": existing.ref, "reason": reason}
    twin = earlier.by_name.get(name_key)
    if twin:
        line = lines[twin.ref]
        difference = _difference(person, twin)
        if difference:
            reason = _(
                "Possible duplicate: same name and organization as line %(line)s of this file, "
                "but %(difference)s. Added as a new contact unless you merge it."
            ) % {"line": line, "difference": difference}
            return {"status": RowStatus.NEW, "match_row": twin.ref, "reason": reason}
        reason = _same_as_line(line, WHY["name"])
        return {"status": RowStatus.DUPLICATE, "match_row": twin.ref, "reason": reason}
    return {"status": RowStatus.NEW}


# --- Committing the student's choices ----------------------------------------------------------


def effective_decision(*, status: str, decision: str, default: str, has_match: bool) -> str:
    """What committing does with a row: invalid rows are skipped; a new row (a possible
    duplicate included) is merged only when the student chose so; "merge" without anything to
    merge into adds the person."""
    if status == RowStatus.INVALID:
        return Decision.SKIP
    value = decision or default
    if not decision and status == RowStatus.NEW and value == Decision.MERGE:
        return Decision.CREATE
    if value == Decision.MERGE and not has_match:
        return Decision.CREATE
    return value


class StoredRow(NamedTuple):
    """A preview row as committing reads it."""

    id: int
    index: int
    data: dict
    status: str
    match_contact_id: int | None = None
    match_row: int | None = None
    decision: str = ""


@dataclass(frozen=True)
class NewContact:
    """A contact to create: its first row's data with what later rows of the file about the
    same person merged into it."""

    row_id: int
    data: dict
    tags: tuple[str, ...]
    dates: tuple[str, ...]  # connection days, ISO, sorted
    merged_row_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class ContactMerge:
    """Rows merged into one contact the student had, in file order, each planned against the
    contact as the rows before it left it."""

    contact_id: int
    before: dict
    steps: tuple[tuple[int, MergePlan], ...]  # (row id, plan)

    @property
    def after(self) -> dict:
        fields = self.before
        for _row, plan in self.steps:
            fields = plan.applied_to(fields)
        return fields

    @property
    def dates(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.connected_on for _row, p in self.steps if p.connected_on))


@dataclass(frozen=True)
class CommitPlan:
    new: tuple[NewContact, ...]
    merges: tuple[ContactMerge, ...]
    outcomes: Mapping[int, str]  # row index -> RowOutcome

    def count(self, outcome: str) -> int:
        return sum(1 for value in self.outcomes.values() if value == outcome)


@dataclass
class _Draft:
    row_id: int
    data: dict
    dates: list[str]
    merged: list[int] = field(default_factory=list)

    def merge(self, row: StoredRow) -> None:
        """A later row of the file about the same person: nothing it says is dropped."""
        self.data = plan_merge(self.data, row.data).applied_to(self.data)
        if row.data.get("connected_on"):
            self.dates.append(row.data["connected_on"])
        self.merged.append(row.id)

    def frozen(self) -> NewContact:
        tags = tuple(self.data.get("tags") or [])
        dates = tuple(sorted(set(self.dates)))
        return NewContact(self.row_id, self.data, tags, dates, tuple(self.merged))


def plan_commit(
    *, rows: Sequence[StoredRow], contacts: Mapping[int, dict], default: str
) -> CommitPlan:
    """What committing the rows does. ``contacts`` holds the fields (contacts.merging.
    contact_fields) of the student's contacts that rows match; a match missing from it (the
    contact was deleted since the preview) counts as no match."""
    drafts: list[_Draft] = []
    current = {pk: dict(fields) for pk, fields in contacts.items()}
    steps: dict[int, list[tuple[int, MergePlan]]] = {}
    target_of_row: dict[int, tuple[str, object]] = {}
    outcomes: dict[int, str] = {}
    for row in sorted(rows, key=lambda r: r.index):
        match = row.match_contact_id if row.match_contact_id in current else None
        in_file = target_of_row.get(row.match_row) if row.match_row else None
        decision = effective_decision(
            status=row.status,
            decision=row.decision,
            default=default,
            has_match=bool(match or in_file),
        )
        if decision == Decision.SKIP:
            outcomes[row.index] = RowOutcome.SKIPPED
            continue
        target = ("existing", match) if match else in_file
        if decision == Decision.MERGE and target:
            kind, into = target
            if kind == "existing":
                plan = plan_merge(current[into], row.data)
                current[into] = plan.applied_to(current[into])
                steps.setdefault(into, []).append((row.id, plan))
            else:
                into.merge(row)
            target_of_row[row.index] = target
            outcomes[row.index] = RowOutcome.MERGED
            continue
        connected = row.data.get("connected_on")
        draft = _Draft(row.id, row.data, [connected] if connected else [])
        drafts.append(draft)
        target_of_row[row.index] = ("new", draft)
        outcomes[row.index] = RowOutcome.CREATED
        repeats = row.status == RowStatus.DUPLICATE and row.match_row
        if repeats and (row.decision or default) == Decision.MERGE:
            # The row it repeats was skipped: later repeats merge into this one instead.
            target_of_row.setdefault(row.match_row, ("new", draft))
    merges = tuple(
        ContactMerge(pk, dict(contacts[pk]), tuple(planned)) for pk, planned in steps.items()
    )
    return CommitPlan(tuple(d.frozen() for d in drafts), merges, outcomes)
