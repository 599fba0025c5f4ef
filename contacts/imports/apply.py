"""Writing a commit plan (contacts.imports.planning.CommitPlan) in bulk: a 20,000-row file costs
a few dozen queries, not one per row. New contacts go through COPY on PostgreSQL; merged
contacts take exactly what their MergePlans say, and keep what undoing needs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

from django.utils import timezone
from django.utils.translation import gettext as _

from contacts import reminders
from contacts.imports import bulk
from contacts.imports.models import BatchStatus, ImportBatch, ImportFormat, ImportRow, RowOutcome
from contacts.imports.planning import CommitPlan, ContactMerge, NewContact, organization_key
from contacts.imports.preview import progress_set
from contacts.imports.records import tag_name
from contacts.merging import FILLABLE
from contacts.models import Contact, Interaction, InteractionKind, Organization, Source, Tag
from networking_app.notifications import services as notify
from networking_app.notifications.models import Reminder

CHUNK = 1_000
# The columns a merge or an undo writes on a contact the student had.
MERGED_COLUMNS = [
    *FILLABLE,
    "organization",
    "notes",
    "cadence_days",
    "last_interaction_on",
    "search_text",
]


class _Org(NamedTuple):
    pk: int
    name: str


def _organizations(names: Iterable[str]) -> dict[str, _Org]:
    """Shared organizations by normalized name, created in bulk where missing."""
    wanted: dict[str, str] = {}
    for name in names:
        normalized = organization_key(name)
        if normalized:
            wanted.setdefault(normalized, " ".join(name.split())[:200])

    def fetch(keys: list[str]) -> None:
        for start in range(0, len(keys), 5000):
            rows = Organization.objects.filter(normalized_name__in=keys[start : start + 5000])
            for normalized, pk, name in rows.values_list("normalized_name", "pk", "name"):
                found[normalized] = _Org(pk, name)

    found: dict[str, _Org] = {}
    fetch(list(wanted))
    missing = [k for k in wanted if k not in found]
    if missing:
        # ON CONFLICT DO NOTHING: another import may create the same one meanwhile.
        bulk.insert(
            Organization,
            [{"name": wanted[k], "normalized_name": k} for k in missing],
            returning=False,
            ignore=True,
        )
        fetch(missing)
    return found


def _tags(owner, names: Iterable[str]) -> dict[str, Tag]:
    wanted = {tag_name(n) for n in names if n.strip()}
    found = {t.name: t for t in Tag.objects.filter(owner=owner, name__in=wanted)}
    missing = [n for n in wanted if n not in found]
    if missing:
        Tag.objects.bulk_create(
            [Tag(owner=owner, name=n) for n in missing], batch_size=CHUNK, ignore_conflicts=True
        )
        found.update({t.name: t for t in Tag.objects.filter(owner=owner, name__in=missing)})
    return found


def search_text_for(contact, organization_name: str, tag_names: Iterable[str]) -> str:
    """The same text as contacts.services.people.contact_refresh_search_text (tags by name); the
    contact is a Contact or a dict of its fields."""
    get = contact.get if isinstance(contact, dict) else lambda name: getattr(contact, name)
    parts = [
        get("name"),
        organization_name,
        get("title"),
        get("industry"),
        " ".join(sorted(tag_names)),
        get("notes"),
        get("email"),
    ]
    return "\n".join(p for p in parts if p)


class _Context(NamedTuple):
    """What every part of one commit shares."""

    batch: ImportBatch
    organizations: dict[str, _Org]
    tags: dict[str, Tag]
    kind: str  # of the interactions recording the connection dates
    note: str
    now: dt.datetime
    total: int  # rows in the batch, for the progress bar


def _connection(batch: ImportBatch) -> tuple[str, str]:
    if batch.format == ImportFormat.LINKEDIN:
        return InteractionKind.CONNECTED, _("Connected on LinkedIn (imported).")
    return InteractionKind.CONNECTED, _("Connected (imported from %(filename)s).") % {
        "filename": batch.filename
    }


def apply_commit_plan(
    *, batch: ImportBatch, plan: CommitPlan, contacts: dict[int, Contact], default: str
) -> None:
    """Write ``plan`` (in the caller's transaction): new contacts, merges into ``contacts``
    (the matched contacts, loaded with their organization), connection dates, stay-in-touch
    reminders, and what became of each row."""
    new_organizations = [c.data.get("organization", "") for c in plan.new]
    new_organizations += [
        m.after["organization"] for m in plan.merges if not m.before["organization"]
    ]
    tag_names = [t for c in plan.new for t in c.tags]
    tag_names += [t for m in plan.merges for _row, step in m.steps for t in step.tags]
    kind, note = _connection(batch)
    context = _Context(
        batch,
        _organizations(new_organizations),
        _tags(batch.owner, tag_names),
        kind,
        note,
        timezone.now(),
        len(plan.outcomes),
    )
    ids = _create_contacts(context, plan.new)
    undo_of = _merge_contacts(context, plan.merges, contacts)
    _schedule_stay_in_touch(
        batch.owner,
        [(pk, c) for pk, c in zip(ids, plan.new, strict=True) if c.data.get("cadence_days")],
        context.now,
    )
    progress_set(batch.pk, context.total, context.total, _("Finishing"))
    _record_outcomes(context, plan, ids, undo_of)
    batch.status = BatchStatus.COMMITTED
    batch.committed_at = context.now
    batch.created_count = len(plan.new)
    batch.merged_count = plan.count(RowOutcome.MERGED)
    batch.skipped_count = plan.count(RowOutcome.SKIPPED)
    batch.default_decision = default
    batch.data = None  # the file is not kept once its contacts are in
    batch.error = ""
    batch.save()


def _new_contact_row(context: _Context, new: NewContact) -> dict:
    data = new.data
    organization = context.organizations.get(organization_key(data.get("organization", "")))
    row = {
        "owner_id": context.batch.owner_id,
        "name": data["name"],
        "email": data.get("email", ""),
        "phone": data.get("phone", ""),
        "linkedin_url": data.get("linkedin_url", ""),
        "organization_id": organization.pk if organization else None,
        "title": data.get("title", ""),
        "industry": data.get("industry", ""),
        "relationship": data.get("relationship") or "other",
        "how_met": data.get("how_met", ""),
        "notes": data.get("notes", ""),
        "cadence_days": int(data.get("cadence_days") or 0),
        "source": Source.IMPORT,
        "import_batch_id": context.batch.pk,
        "last_interaction_on": max((dt.date.fromisoformat(d) for d in new.dates), default=None),
    }
    tag_names = {context.tags[t].name for t in new.tags}
    row["search_text"] = search_text_for(row, organization.name if organization else "", tag_names)
    return row


def _create_contacts(context: _Context, new: tuple[NewContact, ...]) -> list[int]:
    """Insert the new contacts, their tags and connection dates; their ids, in order."""
    ids: list[int] = []
    step = 5 * CHUNK
    for start in range(0, len(new), step):
        part = [_new_contact_row(context, c) for c in new[start : start + step]]
        ids += bulk.insert(Contact, part)
        progress_set(context.batch.pk, start + len(part), context.total, _("Adding contacts"))
    links = [
        {"contact_id": pk, "tag_id": context.tags[t].pk}
        for pk, c in zip(ids, new, strict=True)
        for t in set(c.tags)
    ]
    bulk.insert(Contact.tags.through, links, returning=False, ignore=True)
    interactions = [
        _connected(context, pk, dt.date.fromisoformat(day))
        for pk, c in zip(ids, new, strict=True)
        for day in c.dates
    ]
    bulk.insert(Interaction, interactions, returning=False)
    return ids


def _connected(context: _Context, contact_id: int, day: dt.date) -> dict:
    return {
        "owner_id": context.batch.owner_id,
        "contact_id": contact_id,
        "kind": context.kind,
        "occurred_on": day,
        "note": context.note,
    }


def _merge_contacts(
    context: _Context, merges: tuple[ContactMerge, ...], contacts: dict[int, Contact]
) -> dict[int, dict]:
    """Apply each merge's plans to its contact; what undoing needs, by contact id."""
    existing_dates = set(
        Interaction.objects.filter(
            contact_id__in=[m.contact_id for m in merges], kind=context.kind
        ).values_list("contact_id", "occurred_on")
    )
    undo_of: dict[int, dict] = {}
    links: list[dict] = []
    dates: list[tuple[int, dt.date]] = []
    resync: list[Contact] = []
    for merge in merges:
        contact = contacts[merge.contact_id]
        before = (contact.last_interaction_on, contact.cadence_days)
        undo_of[contact.pk] = _merge_one(context, contact, merge)
        links += [{"contact_id": contact.pk, "tag_id": pk} for pk in undo_of[contact.pk]["tags"]]
        for day in map(dt.date.fromisoformat, merge.dates):
            if (contact.pk, day) not in existing_dates:
                dates.append((contact.pk, day))
                if contact.last_interaction_on is None or day > contact.last_interaction_on:
                    contact.last_interaction_on = day
        if contact.cadence_days and before != (contact.last_interaction_on, contact.cadence_days):
            resync.append(contact)
    merged = [contacts[m.contact_id] for m in merges]
    Contact.objects.bulk_update(merged, [*MERGED_COLUMNS, "updated_at"], batch_size=CHUNK)
    bulk.insert(Contact.tags.through, links, returning=False, ignore=True)
    ids = bulk.insert(Interaction, [_connected(context, pk, day) for pk, day in dates])
    for (contact_id, _day), pk in zip(dates, ids, strict=True):
        undo_of[contact_id]["interactions"].append(pk)
    for contact in resync:
        reminders.sync_contact(contact)
    return undo_of


def _merge_one(context: _Context, contact: Contact, merge: ContactMerge) -> dict:
    """Set what the merge's plans fill and the notes on ``contact`` (saved by the caller, in
    bulk); return what undoing it needs, with the tags to add."""
    after = merge.after
    undo = {"fields": {}, "organization_id": None, "tags": [], "notes_before": contact.notes}
    for name in FILLABLE:
        if after[name] != merge.before[name]:
            setattr(contact, name, after[name])
            undo["fields"][name] = after[name]
    if after["cadence_days"] != merge.before["cadence_days"]:
        contact.cadence_days = undo["cadence_days"] = int(after["cadence_days"])
    organization = context.organizations.get(organization_key(after["organization"]))
    if not merge.before["organization"] and organization is not None:
        contact.organization_id = undo["organization_id"] = organization.pk
    contact.notes = undo["notes_after"] = after["notes"]
    added = after["tags"][len(merge.before["tags"]) :]
    undo["tags"] = [context.tags[tag_name(t)].pk for t in added]
    undo["interactions"] = []
    shown_organization = organization.name if organization else ""
    if merge.before["organization"]:
        shown_organization = contact.organization.name
    contact.search_text = search_text_for(contact, shown_organization, after["tags"])
    contact.updated_at = context.now
    return undo


def _schedule_stay_in_touch(owner, new: list[tuple[int, NewContact]], now: dt.datetime) -> None:
    """The stay-in-touch reminders of new contacts that came with a rhythm (Rapport's own
    export). Written in bulk: the contacts are new, so none has a reminder to supersede, and
    reminders.sync_contact costs a few queries per contact (what
    notifications.reminder_schedule would write for each)."""
    if not new:
        return
    zone = notify.user_zone(owner)
    rows = []
    for pk, contact in new:
        start = max((dt.date.fromisoformat(d) for d in contact.dates), default=now.date())
        due_on = start + dt.timedelta(days=int(contact.data["cadence_days"]))
        rows.append(
            Reminder(
                user=owner,
                kind=reminders.STAY_IN_TOUCH,
                subject_key=f"contact:{pk}",
                due_at=notify.local_time_on(due_on, reminders.MORNING, zone),
            )
        )
    Reminder.objects.bulk_create(rows, batch_size=CHUNK)


def _record_outcomes(
    context: _Context, plan: CommitPlan, ids: list[int], undo_of: dict[int, dict]
) -> None:
    """What became of each row; the first row merged into a contact keeps what undo needs."""
    updates = [
        ImportRow(
            pk=row_id,
            contact_id=merge.contact_id,
            outcome=RowOutcome.MERGED,
            undo=undo_of[merge.contact_id] if position == 0 else {},
        )
        for merge in plan.merges
        for position, (row_id, _plan) in enumerate(merge.steps)
    ]
    updates += [
        ImportRow(pk=row_id, contact_id=pk, outcome=RowOutcome.MERGED, undo={})
        for pk, new in zip(ids, plan.new, strict=True)
        for row_id in new.merged_row_ids
    ]
    ImportRow.objects.bulk_update(updates, ["contact", "outcome", "undo"], batch_size=CHUNK)
    skipped = [index for index, value in plan.outcomes.items() if value == RowOutcome.SKIPPED]
    for start in range(0, len(skipped), 10_000):
        ImportRow.objects.filter(
            batch=context.batch, index__in=skipped[start : start + 10_000]
        ).update(outcome=RowOutcome.SKIPPED)
    ImportRow.objects.filter(batch=context.batch, outcome="").update(outcome=RowOutcome.CREATED)
