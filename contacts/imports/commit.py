"""Committing a preview batch (atomic, in bulk: a 20,000-row file costs a few dozen queries,
not one per row) and undoing it."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from contacts import reminders
from contacts.imports import bulk
from contacts.imports.files import ImportFileError
from contacts.imports.merging import (
    FILL,
    FILLABLE,
    apply_to_dict,
    contact_fields,
    merge_changes,
    merged_notes,
)
from contacts.imports.models import (
    BatchStatus,
    Decision,
    ImportBatch,
    ImportFormat,
    ImportRow,
    RowOutcome,
    RowStatus,
)
from contacts.imports.preview import (
    check_decision,
    effective_decision,
    import_set_decisions,
    organization_key,
    progress_key,
    progress_set,
)
from contacts.imports.records import tag_name
from contacts.models import (
    Contact,
    Interaction,
    InteractionKind,
    Organization,
    Source,
    Tag,
)
from networking_app.cache import bump_version, person
from networking_app.notifications import services as notify
from networking_app.notifications.models import Reminder

log = logging.getLogger(__name__)

CHUNK = 1_000


# --- Commit ---------------------------------------------------------------------------------


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
    """The same text as contacts.services.contact_refresh_search_text (tags by name); the
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


class _Draft:
    """A contact about to be created, with what later rows of the file merged into it."""

    def __init__(self, data: dict):
        self.data = data  # copied only when a later row merges into it
        self.tags: list[str] = list(data.get("tags") or [])
        self.dates: set[str] = {data["connected_on"]} if data.get("connected_on") else set()
        self.pk: int | None = None

    def merge(self, data: dict) -> None:
        """Take in a later row of the file about the same person (see contacts.imports.merging:
        nothing the row says is dropped)."""
        merged = apply_to_dict({**self.data, "tags": self.tags}, data)
        self.tags = merged.pop("tags")
        self.data = merged
        if data.get("connected_on"):
            self.dates.add(data["connected_on"])


def _schedule_stay_in_touch(owner, drafts: list[_Draft], now: dt.datetime) -> None:
    """The stay-in-touch reminders of new contacts that came with a rhythm (Rapport's own
    export). Written in bulk: the contacts are new, so none has a reminder to supersede, and
    reminders.sync_contact costs a few queries per contact (what
    notifications.reminder_schedule would write for each)."""
    if not drafts:
        return
    zone = notify.user_zone(owner)
    rows = []
    for draft in drafts:
        start = max((dt.date.fromisoformat(d) for d in draft.dates), default=now.date())
        due_on = start + dt.timedelta(days=int(draft.data["cadence_days"]))
        rows.append(
            Reminder(
                user=owner,
                kind=reminders.STAY_IN_TOUCH,
                subject_key=f"contact:{draft.pk}",
                due_at=notify.local_time_on(due_on, reminders.MORNING, zone),
            )
        )
    Reminder.objects.bulk_create(rows, batch_size=CHUNK)


def _connected_note(batch: ImportBatch) -> tuple[str, str]:
    if batch.format == ImportFormat.LINKEDIN:
        return InteractionKind.CONNECTED, "Connected on LinkedIn (imported)."
    return InteractionKind.CONNECTED, f"Connected (imported from {batch.filename})."


def import_commit(
    *, batch: ImportBatch, decisions: dict[int, str] | None = None, default: str = "create"
) -> ImportBatch:
    """Turn the preview into contacts, all or nothing.

    ``decisions`` (row index -> "skip", "merge" or "create") override the choices saved from
    the preview page; ``default`` applies to every row with neither. "create" on a duplicate
    adds a second contact; "merge" fills the existing contact's empty fields, adds the tags,
    the notes and the connection date (and on a new row simply adds the person); "skip"
    leaves the row out. Invalid rows are always skipped.
    """
    check_decision(default)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status not in (
            BatchStatus.PREVIEW,
            BatchStatus.COMMIT_QUEUED,
            BatchStatus.COMMITTING,
        ):
            raise ImportFileError(
                f"This import is “{locked.get_status_display().lower()}”; it cannot be committed."
            )
        if decisions:
            locked.status = BatchStatus.PREVIEW
            import_set_decisions(batch=locked, decisions=decisions)
        _commit(locked, default)
        bump_version(person(locked.owner_id))
    cache.delete(progress_key(locked.pk))
    batch.refresh_from_db()
    return batch


def _commit(batch: ImportBatch, default: str) -> None:
    owner = batch.owner
    rows = list(
        ImportRow.objects.filter(batch=batch)
        .order_by("index")
        .values("id", "index", "data", "status", "match_contact_id", "match_row", "decision")
    )
    total = len(rows)
    progress_set(batch.pk, 0, total, "Sorting the rows")
    match_ids = {r["match_contact_id"] for r in rows if r["match_contact_id"]}
    existing: dict[int, Contact] = {}
    for contact in (
        Contact.objects.filter(owner=owner, pk__in=match_ids)
        .select_related("organization")
        .prefetch_related("tags")
    ):
        existing[contact.pk] = contact

    drafts: list[_Draft] = []
    target_of_row: dict[int, tuple[str, object]] = {}
    merges: dict[int, list[tuple[dict, dict]]] = defaultdict(list)  # contact id -> (row, data)
    outcome: dict[str, list[int]] = defaultdict(list)
    draft_merged_rows: list[tuple[dict, _Draft]] = []
    for row in rows:
        match = row["match_contact_id"] if row["match_contact_id"] in existing else None
        in_file = target_of_row.get(row["match_row"]) if row["match_row"] else None
        decision = effective_decision(
            status=row["status"],
            decision=row["decision"],
            default=default,
            has_match=bool(match or in_file),
        )
        if decision == Decision.SKIP:
            outcome[RowOutcome.SKIPPED].append(row["index"])
            continue
        if decision == Decision.MERGE and match:
            merges[match].append((row, row["data"]))
            target_of_row[row["index"]] = ("existing", match)
            outcome[RowOutcome.MERGED].append(row["index"])
        elif decision == Decision.MERGE and in_file:
            kind, target = in_file
            if kind == "existing":
                merges[target].append((row, row["data"]))
            else:
                target.merge(row["data"])
                draft_merged_rows.append((row, target))
            target_of_row[row["index"]] = in_file
            outcome[RowOutcome.MERGED].append(row["index"])
        else:
            draft = _Draft(row["data"])
            drafts.append(draft)
            target_of_row[row["index"]] = ("new", draft)
            outcome[RowOutcome.CREATED].append(row["index"])
            if (
                row["status"] == RowStatus.DUPLICATE
                and (row["decision"] or default) == Decision.MERGE
                and row["match_row"]
            ):
                # The row it repeats was skipped: later repeats merge into this one instead.
                target_of_row.setdefault(row["match_row"], ("new", draft))

    organization_names = [d.data.get("organization", "") for d in drafts]
    organization_names += [
        data.get("organization", "")
        for contact_id, items in merges.items()
        if existing[contact_id].organization_id is None
        for _, data in items
    ]
    organizations = _organizations(organization_names)
    tags = _tags(
        owner,
        [t for d in drafts for t in d.tags]
        + [t for items in merges.values() for _, data in items for t in data.get("tags") or []],
    )
    kind, note = _connected_note(batch)
    now = timezone.now()

    # New contacts.
    new_rows = []
    for draft in drafts:
        data = draft.data
        organization = organizations.get(organization_key(data.get("organization", "")))
        row = {
            "owner_id": owner.pk,
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
            "import_batch_id": batch.pk,
            "last_interaction_on": max(
                (dt.date.fromisoformat(d) for d in draft.dates), default=None
            ),
        }
        row["search_text"] = search_text_for(
            row, organization.name if organization else "", {tags[t].name for t in draft.tags}
        )
        new_rows.append(row)
    for start in range(0, len(new_rows), 5 * CHUNK):
        part = new_rows[start : start + 5 * CHUNK]
        for draft, pk in zip(
            drafts[start : start + 5 * CHUNK], bulk.insert(Contact, part), strict=True
        ):
            draft.pk = pk
        progress_set(batch.pk, start + len(part), total, "Adding contacts")
    Through = Contact.tags.through
    links = [{"contact_id": d.pk, "tag_id": tags[t].pk} for d in drafts for t in set(d.tags)]
    interactions = [
        {
            "owner_id": owner.pk,
            "contact_id": d.pk,
            "kind": kind,
            "occurred_on": dt.date.fromisoformat(day),
            "note": note,
        }
        for d in drafts
        for day in sorted(d.dates)
    ]

    # Merges into contacts the student already had.
    merged_contacts = []
    merged_interactions: dict[int, list[Interaction]] = defaultdict(list)
    undo_of: dict[int, dict] = {}
    existing_dates = set(
        Interaction.objects.filter(contact_id__in=list(merges), kind=kind).values_list(
            "contact_id", "occurred_on"
        )
    )
    resync: list[Contact] = []
    for contact_id, items in merges.items():
        contact = existing[contact_id]
        undo = {
            "fields": {},
            "organization_id": None,
            "tags": [],
            "notes_before": contact.notes,
            "interactions": [],
        }
        current_tags = {t.name for t in contact.tags.all()}
        organization_name = contact.organization.name if contact.organization_id else ""
        before_last = contact.last_interaction_on
        before_cadence = contact.cadence_days
        for _, data in items:
            changes = merge_changes(
                contact_fields(contact, organization_name, sorted(current_tags)), data
            )
            for change in changes:
                if change.kind != FILL:
                    continue
                if change.field in FILLABLE:
                    setattr(contact, change.field, change.value)
                    undo["fields"][change.field] = change.value
                elif change.field == "cadence_days":
                    contact.cadence_days = int(change.value)
                    undo["cadence_days"] = contact.cadence_days
                elif change.field == "organization":
                    organization = organizations.get(organization_key(change.value))
                    if organization is not None:
                        contact.organization_id = organization.pk
                        organization_name = organization.name
                        undo["organization_id"] = organization.pk
            contact.notes = merged_notes(contact.notes, changes)
            for name in data.get("tags") or []:
                tag = tags[tag_name(name)]
                if tag.name not in current_tags:
                    current_tags.add(tag.name)
                    links.append({"contact_id": contact.pk, "tag_id": tag.pk})
                    undo["tags"].append(tag.pk)
            if data.get("connected_on"):
                day = dt.date.fromisoformat(data["connected_on"])
                if (contact.pk, day) not in existing_dates:
                    existing_dates.add((contact.pk, day))
                    merged_interactions[contact.pk].append(
                        {
                            "owner_id": owner.pk,
                            "contact_id": contact.pk,
                            "kind": kind,
                            "occurred_on": day,
                            "note": note,
                        }
                    )
                    if contact.last_interaction_on is None or day > contact.last_interaction_on:
                        contact.last_interaction_on = day
        undo["notes_after"] = contact.notes
        contact.search_text = search_text_for(contact, organization_name, current_tags)
        contact.updated_at = now
        merged_contacts.append(contact)
        undo_of[contact.pk] = undo
        if contact.cadence_days and (
            contact.last_interaction_on != before_last or contact.cadence_days != before_cadence
        ):
            resync.append(contact)
    Contact.objects.bulk_update(
        merged_contacts,
        [
            *FILLABLE,
            "organization",
            "notes",
            "cadence_days",
            "last_interaction_on",
            "search_text",
            "updated_at",
        ],
        batch_size=CHUNK,
    )
    merged_list = [(cid, i) for cid, items in merged_interactions.items() for i in items]
    ids = bulk.insert(Interaction, interactions + [i for _, i in merged_list])
    for (contact_id, _), pk in zip(merged_list, ids[len(interactions) :], strict=True):
        undo_of[contact_id]["interactions"].append(pk)
    bulk.insert(Through, links, returning=False, ignore=True)
    _schedule_stay_in_touch(owner, [d for d in drafts if d.data.get("cadence_days")], now)
    progress_set(batch.pk, total, total, "Finishing")
    for contact in resync:
        reminders.sync_contact(contact)

    # Rows: what became of each (the merged ones keep what undo needs).
    row_updates = []
    for contact_id, items in merges.items():
        for position, (row, _) in enumerate(items):
            row_updates.append(
                ImportRow(
                    pk=row["id"],
                    contact_id=contact_id,
                    outcome=RowOutcome.MERGED,
                    undo=undo_of[contact_id] if position == 0 else {},
                )
            )
    for row, draft in draft_merged_rows:
        row_updates.append(
            ImportRow(pk=row["id"], contact_id=draft.pk, outcome=RowOutcome.MERGED, undo={})
        )
    ImportRow.objects.bulk_update(row_updates, ["contact", "outcome", "undo"], batch_size=CHUNK)
    skipped = outcome.get(RowOutcome.SKIPPED, [])
    for start in range(0, len(skipped), 10_000):
        ImportRow.objects.filter(batch=batch, index__in=skipped[start : start + 10_000]).update(
            outcome=RowOutcome.SKIPPED
        )
    ImportRow.objects.filter(batch=batch, outcome="").update(outcome=RowOutcome.CREATED)
    batch.status = BatchStatus.COMMITTED
    batch.committed_at = now
    batch.created_count = len(drafts)
    batch.merged_count = len(outcome.get(RowOutcome.MERGED, []))
    batch.skipped_count = len(outcome.get(RowOutcome.SKIPPED, []))
    batch.default_decision = default
    batch.data = None  # the file is not kept once its contacts are in
    batch.error = ""
    batch.save()


# --- Undo -------------------------------------------------------------------------------------


def import_undo(*, batch: ImportBatch) -> ImportBatch:
    """Remove the contacts the import added (with whatever was added to them since) and take
    back what it merged into existing contacts: fields it filled that still hold the imported
    value, the tags and the connection dates it added, and the notes if unchanged since."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != BatchStatus.COMMITTED:
            raise ImportFileError("Only an import that was committed can be undone.")
        owner = locked.owner
        undos = dict(
            ImportRow.objects.filter(batch=locked, outcome=RowOutcome.MERGED, contact__isnull=False)
            .exclude(undo={})
            .values_list("contact_id", "undo")
        )
        contacts = list(
            Contact.objects.filter(owner=owner, pk__in=list(undos))
            .exclude(import_batch=locked)
            .select_related("organization")
        )
        Interaction.objects.filter(
            owner=owner, pk__in=[i for u in undos.values() for i in u.get("interactions", [])]
        ).delete()
        Through = Contact.tags.through
        for contact in contacts:
            tag_ids = undos[contact.pk].get("tags") or []
            if tag_ids:
                Through.objects.filter(contact_id=contact.pk, tag_id__in=tag_ids).delete()
        latest = dict(
            Interaction.objects.filter(contact_id__in=[c.pk for c in contacts])
            .values("contact_id")
            .annotate(latest=Max("occurred_on"))
            .values_list("contact_id", "latest")
        )
        names: dict[int, set[str]] = defaultdict(set)
        for contact_id, name in Through.objects.filter(
            contact_id__in=[c.pk for c in contacts]
        ).values_list("contact_id", "tag__name"):
            names[contact_id].add(name)
        for contact in contacts:
            undo = undos[contact.pk]
            for name, value in undo.get("fields", {}).items():
                if name in FILLABLE and getattr(contact, name) == value:
                    setattr(contact, name, "")
            if undo.get("organization_id") and contact.organization_id == undo["organization_id"]:
                contact.organization = None
            if undo.get("cadence_days") and contact.cadence_days == undo["cadence_days"]:
                contact.cadence_days = 0
            if contact.notes == undo.get("notes_after"):
                contact.notes = undo.get("notes_before", "")
            contact.last_interaction_on = latest.get(contact.pk)
            contact.search_text = search_text_for(
                contact,
                contact.organization.name if contact.organization else "",
                names[contact.pk],
            )
        Contact.objects.bulk_update(
            contacts,
            [
                *FILLABLE,
                "organization",
                "notes",
                "cadence_days",
                "last_interaction_on",
                "search_text",
            ],
            batch_size=CHUNK,
        )
        for contact in contacts:
            if contact.cadence_days or undos[contact.pk].get("cadence_days"):
                reminders.sync_contact(contact)
        created = Contact.objects.filter(owner=owner, import_batch=locked)
        removed = created.count()
        created.delete()
        locked.status = BatchStatus.UNDONE
        locked.undone_at = timezone.now()
        locked.save(update_fields=["status", "undone_at"])
        bump_version(person(owner.pk))
        log.info("import %s undone: %s contacts removed", locked.pk, removed)
    batch.refresh_from_db()
    return batch
