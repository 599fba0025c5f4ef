"""Writes to a student's networking data. Every function takes the owner explicitly."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from contacts import merging, reminders
from contacts.models import (
    ActionItem,
    ChangeKind,
    Contact,
    Conversation,
    ConversationChange,
    ConversationStatus,
    DraftKind,
    EmailTemplate,
    Interaction,
    InteractionKind,
    MeetingMode,
    Organization,
    Outcome,
    PreparedQuestion,
    Question,
    Relationship,
    Source,
    Tag,
    TargetOrganization,
    normalize_organization_name,
)
from networking_app.accounts.models import User
from networking_app.cache import bump_version, person

S = ConversationStatus

# Which status may follow which: anything else is refused with a clear message.
TRANSITIONS: dict[str, set[str]] = {
    S.PLANNED: {S.REQUESTED, S.SCHEDULED, S.CLOSED},
    S.REQUESTED: {S.SCHEDULED, S.DECLINED, S.NO_RESPONSE, S.CLOSED},
    S.SCHEDULED: {S.REQUESTED, S.HELD, S.DECLINED, S.CLOSED},
    S.HELD: {S.THANKED, S.CLOSED},
    S.THANKED: {S.CLOSED},
    S.DECLINED: {S.CLOSED},
    S.NO_RESPONSE: {S.REQUESTED, S.CLOSED},
    S.CLOSED: set(),
}

MODE_TO_INTERACTION = {
    MeetingMode.IN_PERSON: InteractionKind.IN_PERSON,
    MeetingMode.PHONE: InteractionKind.CALL,
    MeetingMode.VIDEO: InteractionKind.VIDEO,
}


def _changed(owner_id: int) -> None:
    """The owner's cached pages (contacts list, Today, calendar, home) recompute next time:
    every service below that changes what they show calls this (networking_app.cache)."""
    bump_version(person(owner_id))


class TransitionError(ValidationError):
    pass


def _check_transition(conversation: Conversation, new_status: str) -> None:
    if new_status not in TRANSITIONS[conversation.status]:
        raise TransitionError(
            f"A conversation that is “{conversation.get_status_display()}” cannot become "
            f"“{S(new_status).label}”."
        )


# --- Organizations and targets -------------------------------------------------------------


def organization_get_or_create(*, name: str) -> Organization | None:
    """The shared organization with this name, ignoring case and spacing; None for blank."""
    normalized = normalize_organization_name(name or "")
    if not normalized:
        return None
    organization = Organization.objects.filter(normalized_name=normalized).first()
    if organization is None:
        with transaction.atomic():
            organization, _ = Organization.objects.get_or_create(
                normalized_name=normalized, defaults={"name": name}
            )
    return organization


def target_organization_add(
    *, owner: User, name: str, priority: int, notes: str = ""
) -> TargetOrganization:
    organization = organization_get_or_create(name=name)
    if organization is None:
        raise ValidationError({"name": "Enter the organization's name."})
    target, created = TargetOrganization.objects.get_or_create(
        owner=owner, organization=organization, defaults={"priority": priority, "notes": notes}
    )
    if not created:
        raise ValidationError({"name": f"{organization.name} is already one of your targets."})
    return target


def target_organization_update(
    *, target: TargetOrganization, priority: int, notes: str
) -> TargetOrganization:
    target.priority = priority
    target.notes = notes
    target.save(update_fields=["priority", "notes"])
    return target


def target_organization_delete(*, target: TargetOrganization) -> None:
    """Stop targeting the organization; it stays shared, and contacts there are untouched."""
    target.delete()


# --- Contacts ------------------------------------------------------------------------------

CONTACT_FIELDS = [
    "name",
    "email",
    "phone",
    "linkedin_url",
    "title",
    "industry",
    "relationship",
    "how_met",
    "notes",
    "cadence_days",
    "referred_by",
    "may_use_referrer_name",
]


def _tag_objects(*, owner: User, names: list[str]) -> list[Tag]:
    tags = []
    for raw in names:
        name = " ".join(raw.split())[:40]
        if name:
            tag, _ = Tag.objects.get_or_create(owner=owner, name=name.lower())
            tags.append(tag)
    return tags


def contact_refresh_search_text(*, contact: Contact) -> None:
    parts = [
        contact.name,
        contact.organization.name if contact.organization_id else "",
        contact.title,
        contact.industry,
        " ".join(t.name for t in contact.tags.all()),
        contact.notes,
        contact.email,
    ]
    text = "\n".join(p for p in parts if p)
    Contact.objects.filter(pk=contact.pk).update(search_text=text)
    contact.search_text = text


def contact_create(
    *,
    owner: User,
    organization_name: str = "",
    tags: list[str] | None = None,
    source: str = Source.MANUAL,
    **fields,
) -> Contact:
    """Add a contact; the organization is matched or created by name."""
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown contact fields: {sorted(unknown)}")
    if fields.get("referred_by") is not None and fields["referred_by"].owner_id != owner.pk:
        raise ValidationError({"referred_by": "Choose one of your own contacts."})
    with transaction.atomic():
        contact = Contact(
            owner=owner,
            organization=organization_get_or_create(name=organization_name),
            source=source,
            **fields,
        )
        contact.full_clean(exclude=["owner", "tags"])
        contact.save()
        contact.tags.set(_tag_objects(owner=owner, names=tags or []))
        contact_refresh_search_text(contact=contact)
        reminders.sync_contact(contact)
        _changed(owner.pk)
    return contact


def contact_update(
    *, contact: Contact, organization_name: str = "", tags: list[str] | None = None, **fields
) -> Contact:
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown contact fields: {sorted(unknown)}")
    referrer = fields.get("referred_by")
    if referrer is not None and (referrer.owner_id != contact.owner_id or referrer == contact):
        raise ValidationError({"referred_by": "Choose another of your own contacts."})
    with transaction.atomic():
        for name, value in fields.items():
            setattr(contact, name, value)
        contact.organization = organization_get_or_create(name=organization_name)
        contact.full_clean(exclude=["owner", "tags"])
        contact.save()
        if tags is not None:
            contact.tags.set(_tag_objects(owner=contact.owner, names=tags))
        contact_refresh_search_text(contact=contact)
        reminders.sync_contact(contact)
        _changed(contact.owner_id)
    return contact


def contact_delete(*, contact: Contact) -> None:
    contact.delete()
    _changed(contact.owner_id)


def contact_recompute_last_interaction(*, contact: Contact) -> None:
    latest = contact.interactions.aggregate(latest=Max("occurred_on"))["latest"]
    Contact.objects.filter(pk=contact.pk).update(last_interaction_on=latest)
    contact.last_interaction_on = latest
    reminders.sync_contact(contact)
    _changed(contact.owner_id)


def contact_merge(*, keep: Contact, remove: Contact) -> Contact:
    """Fold `remove` into `keep`: its interactions, conversations, referrals, action items,
    outcomes and tags move over, its details merge as contacts.merging plans (empty fields
    filled, differing ones kept in the notes under a label), and `remove` is deleted."""
    if keep.owner_id != remove.owner_id or keep.pk == remove.pk:
        raise ValidationError("Choose two different contacts of your own to merge.")
    with transaction.atomic():
        # Lock both rows so a concurrent edit of either cannot be lost in the merge.
        locked = {
            c.pk: c for c in Contact.objects.select_for_update().filter(pk__in=[keep.pk, remove.pk])
        }
        keep, remove = locked[keep.pk], locked[remove.pk]
        Interaction.objects.filter(contact=remove).update(contact=keep)
        Conversation.objects.filter(contact=remove).update(contact=keep)
        Contact.objects.filter(referred_by=remove).exclude(pk=keep.pk).update(referred_by=keep)
        ActionItem.objects.filter(contact=remove).update(contact=keep)
        for outcome in Outcome.objects.filter(helped_by=remove):
            outcome.helped_by.remove(remove)
            outcome.helped_by.add(keep)
        plan = merging.plan_merge(merging.fields_of(keep), merging.fields_of(remove))
        keep.tags.add(*remove.tags.all())
        for name, value in plan.fills.items():
            if name in merging.FILLABLE or name == "cadence_days":
                setattr(keep, name, value)
            elif name == "organization":
                keep.organization_id = remove.organization_id
        keep.notes = plan.notes_after(keep.notes)
        if keep.referred_by_id is None and merging.merged_referrer(keep, remove) is not None:
            keep.referred_by_id = remove.referred_by_id
            keep.may_use_referrer_name = remove.may_use_referrer_name
        keep.save()
        remove.delete()
        contact_recompute_last_interaction(contact=keep)
        contact_refresh_search_text(contact=keep)
    return keep


# --- Interactions --------------------------------------------------------------------------


def interaction_log(
    *,
    contact: Contact,
    kind: str,
    occurred_on: dt.date | None = None,
    note: str = "",
    conversation: Conversation | None = None,
) -> Interaction:
    """Log a touchpoint; it resets the contact's stay-in-touch clock."""
    occurred_on = occurred_on or timezone.localdate()
    if occurred_on > timezone.localdate() + dt.timedelta(days=1):
        raise ValidationError({"occurred_on": "An interaction cannot be in the future."})
    with transaction.atomic():
        interaction = Interaction.objects.create(
            owner_id=contact.owner_id,
            contact=contact,
            kind=kind,
            occurred_on=occurred_on,
            note=note,
            conversation=conversation,
        )
        contact_recompute_last_interaction(contact=contact)
    return interaction


def interaction_delete(*, interaction: Interaction) -> None:
    contact = interaction.contact
    with transaction.atomic():
        interaction.delete()
        contact_recompute_last_interaction(contact=contact)


# --- Conversations -------------------------------------------------------------------------


def conversation_plan(
    *, contact: Contact, goal: str, questions: list[str] | None = None
) -> Conversation:
    with transaction.atomic():
        conversation = Conversation.objects.create(
            owner_id=contact.owner_id, contact=contact, goal=goal.strip()
        )
        for position, text in enumerate(q.strip() for q in questions or []):
            if text:
                PreparedQuestion.objects.create(
                    conversation=conversation, text=text, position=position
                )
        _changed(contact.owner_id)
    return conversation


def _lock(conversation: Conversation) -> Conversation:
    # Two tabs clicking different pipeline buttons must not both apply.
    return (
        Conversation.objects.select_for_update().select_related("contact").get(pk=conversation.pk)
    )


def _set_status(conversation: Conversation, status: str, *fields: str) -> None:
    conversation.status = status
    conversation.save(update_fields=["status", "updated_at", *fields])
    reminders.sync_conversation(conversation)
    _changed(conversation.owner_id)


def conversation_mark_requested(
    *, conversation: Conversation, requested_on: dt.date | None = None, note: str = ""
) -> Conversation:
    """The intro email went out: the conversation waits for an answer."""
    with transaction.atomic():
        conversation = _lock(conversation)
        _check_transition(conversation, S.REQUESTED)
        conversation.requested_on = requested_on or timezone.localdate()
        _set_status(conversation, S.REQUESTED, "requested_on")
        interaction_log(
            contact=conversation.contact,
            kind=InteractionKind.EMAIL,
            occurred_on=conversation.requested_on,
            note=note or "Sent an intro email asking for a conversation.",
            conversation=conversation,
        )
    return conversation


def _require_future(when: dt.datetime, field: str = "scheduled_at") -> None:
    if when <= timezone.now():
        raise ValidationError({field: "Choose a date and time in the future."})


def conversation_schedule(
    *,
    conversation: Conversation,
    scheduled_at: dt.datetime,
    mode: str,
    location: str = "",
    duration_minutes: int = 30,
) -> Conversation:
    _require_future(scheduled_at)
    with transaction.atomic():
        conversation = _lock(conversation)
        _check_transition(conversation, S.SCHEDULED)
        conversation.scheduled_at = scheduled_at
        conversation.mode = mode
        conversation.location = location
        conversation.duration_minutes = duration_minutes
        _set_status(
            conversation, S.SCHEDULED, "scheduled_at", "mode", "location", "duration_minutes"
        )
    return conversation


def conversation_reschedule(
    *,
    conversation: Conversation,
    scheduled_at: dt.datetime,
    asked_by: str,
    reason: str = "",
    location: str | None = None,
) -> Conversation:
    _require_future(scheduled_at)
    with transaction.atomic():
        conversation = _lock(conversation)
        if conversation.status != S.SCHEDULED:
            raise TransitionError("Only a scheduled conversation can be rescheduled.")
        ConversationChange.objects.create(
            conversation=conversation,
            kind=ChangeKind.RESCHEDULED,
            asked_by=asked_by,
            reason=reason.strip(),
            previous_at=conversation.scheduled_at,
            new_at=scheduled_at,
        )
        conversation.scheduled_at = scheduled_at
        if location is not None:
            conversation.location = location
        conversation.save(update_fields=["scheduled_at", "location", "updated_at"])
        _changed(conversation.owner_id)
        reminders.sync_conversation(conversation)
    return conversation


def conversation_cancel(
    *, conversation: Conversation, asked_by: str, reason: str = ""
) -> Conversation:
    """The meeting is off for now; the conversation goes back to waiting for a new date."""
    with transaction.atomic():
        conversation = _lock(conversation)
        if conversation.status != S.SCHEDULED:
            raise TransitionError("Only a scheduled conversation can be cancelled.")
        ConversationChange.objects.create(
            conversation=conversation,
            kind=ChangeKind.CANCELLED,
            asked_by=asked_by,
            reason=reason.strip(),
            previous_at=conversation.scheduled_at,
        )
        conversation.scheduled_at = None
        if conversation.requested_on is None:
            conversation.requested_on = timezone.localdate()
        _set_status(conversation, S.REQUESTED, "scheduled_at", "requested_on")
    return conversation


def conversation_mark_held(
    *,
    conversation: Conversation,
    notes: str = "",
    takeaways: str = "",
    answers: dict[int, str] | None = None,
    held_at: dt.datetime | None = None,
) -> Conversation:
    """The conversation took place at `held_at` (default now), which is stored as given."""
    held_at = held_at or timezone.now()
    if held_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"held_at": "A conversation cannot be held in the future."})
    with transaction.atomic():
        conversation = _lock(conversation)
        _check_transition(conversation, S.HELD)
        conversation.held_at = held_at
        if conversation.scheduled_at is None or conversation.scheduled_at > held_at:
            # The meeting happened earlier than planned (or was never put in the calendar):
            # the record says when it really took place.
            conversation.scheduled_at = held_at
        conversation.notes = notes
        conversation.takeaways = takeaways
        _set_status(conversation, S.HELD, "held_at", "scheduled_at", "notes", "takeaways")
        question_answers_save(conversation=conversation, answers=answers or {})
        interaction_log(
            contact=conversation.contact,
            kind=MODE_TO_INTERACTION.get(conversation.mode, InteractionKind.IN_PERSON),
            occurred_on=timezone.localdate(held_at),
            note="Career conversation.",
            conversation=conversation,
        )
    return conversation


def conversation_record_held(
    *,
    contact: Contact,
    goal: str,
    held_at: dt.datetime,
    duration_minutes: int = 30,
    mode: str = "",
    location: str = "",
) -> Conversation:
    """A conversation that was arranged elsewhere (a mentoring session) and has taken place:
    recorded as scheduled at that time, then held, so the thank-you reminder follows."""
    with transaction.atomic():
        conversation = Conversation.objects.create(
            owner_id=contact.owner_id,
            contact=contact,
            goal=goal.strip(),
            status=S.SCHEDULED,
            scheduled_at=held_at,
            duration_minutes=duration_minutes,
            mode=mode,
            location=location[:500],
        )
        return conversation_mark_held(conversation=conversation, held_at=held_at)


def conversation_mark_thanked(*, conversation: Conversation, note: str = "") -> Conversation:
    with transaction.atomic():
        conversation = _lock(conversation)
        _check_transition(conversation, S.THANKED)
        conversation.thanked_at = timezone.now()
        _set_status(conversation, S.THANKED, "thanked_at")
        interaction_log(
            contact=conversation.contact,
            kind=InteractionKind.EMAIL,
            note=note or "Sent a thank-you email.",
            conversation=conversation,
        )
    return conversation


def conversation_set_status(*, conversation: Conversation, status: str) -> Conversation:
    """Moves with no details to fill in: declined, no response, closed, back to requested."""
    if status not in (S.DECLINED, S.NO_RESPONSE, S.CLOSED, S.REQUESTED):
        raise TransitionError("This move needs its own form.")
    with transaction.atomic():
        conversation = _lock(conversation)
        _check_transition(conversation, status)
        fields = []
        if status == S.CLOSED:
            conversation.closed_at = timezone.now()
            fields.append("closed_at")
        if status == S.REQUESTED and conversation.requested_on is None:
            conversation.requested_on = timezone.localdate()
            fields.append("requested_on")
        _set_status(conversation, status, *fields)
    return conversation


def conversation_update_notes(
    *, conversation: Conversation, goal: str, notes: str, takeaways: str
) -> Conversation:
    conversation.goal = goal
    conversation.notes = notes
    conversation.takeaways = takeaways
    conversation.save(update_fields=["goal", "notes", "takeaways", "updated_at"])
    _changed(conversation.owner_id)
    return conversation


# --- Questions, action items, referrals ----------------------------------------------------


def question_bank_add(*, owner: User, text: str) -> Question:
    return Question.objects.create(owner=owner, text=text.strip())


def question_prepare(*, conversation: Conversation, text: str) -> PreparedQuestion:
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write the question."})
    last = conversation.questions.aggregate(m=Max("position"))["m"]
    question = PreparedQuestion.objects.create(
        conversation=conversation, text=text, position=(last or 0) + 1
    )
    _changed(conversation.owner_id)
    return question


def question_answers_save(*, conversation: Conversation, answers: dict[int, str]) -> None:
    for question in conversation.questions.filter(pk__in=list(answers)):
        question.answer = answers[question.pk]
        question.save(update_fields=["answer"])


def question_remove(*, question: PreparedQuestion) -> None:
    question.delete()
    _changed(question.conversation.owner_id)


def action_item_create(
    *,
    owner: User,
    text: str,
    due_on: dt.date | None = None,
    conversation: Conversation | None = None,
    contact: Contact | None = None,
) -> ActionItem:
    if conversation is not None and contact is None:
        contact = conversation.contact
    with transaction.atomic():
        item = ActionItem.objects.create(
            owner=owner,
            text=text.strip(),
            due_on=due_on,
            conversation=conversation,
            contact=contact,
        )
        reminders.sync_action_item(item)
        _changed(owner.pk)
    return item


def action_item_toggle_done(*, item: ActionItem) -> ActionItem:
    with transaction.atomic():
        item.done_at = None if item.done_at else timezone.now()
        item.save(update_fields=["done_at"])
        reminders.sync_action_item(item)
        _changed(item.owner_id)
    return item


def referral_create(
    *,
    referrer: Contact,
    name: str,
    may_use_name: bool,
    email: str = "",
    organization_name: str = "",
    title: str = "",
    note: str = "",
) -> Contact:
    """“Who else should I talk to?”: a new contact linked to the person who suggested them."""
    return contact_create(
        owner=referrer.owner,
        name=name,
        email=email,
        organization_name=organization_name,
        title=title,
        relationship=Relationship.REFERRAL,
        how_met=f"Suggested by {referrer.name}",
        notes=note,
        referred_by=referrer,
        may_use_referrer_name=may_use_name,
    )


# --- Drafts and outcomes -------------------------------------------------------------------


def email_template_save(*, owner: User, kind: str, subject: str, body: str) -> EmailTemplate:
    template, _ = EmailTemplate.objects.update_or_create(
        owner=owner, kind=kind, defaults={"subject": subject, "body": body}
    )
    return template


def email_template_reset(*, owner: User, kind: str) -> None:
    EmailTemplate.objects.filter(owner=owner, kind=kind).delete()


def draft_mark_sent(
    *, kind: str, contact: Contact, conversation: Conversation | None = None
) -> None:
    """The student sent the draft: log it and move the pipeline on where it applies."""
    label = DraftKind(kind).label.lower()
    if kind == DraftKind.INTRO and conversation is not None:
        conversation_mark_requested(conversation=conversation)
    elif kind == DraftKind.THANK_YOU and conversation is not None:
        conversation_mark_thanked(conversation=conversation)
    else:
        interaction_log(
            contact=contact,
            kind=InteractionKind.EMAIL,
            note=f"Sent a {label} email.",
            conversation=conversation,
        )


def outcome_record(
    *,
    owner: User,
    kind: str,
    organization_name: str,
    title: str = "",
    decided_on: dt.date | None = None,
    helped_by: list[Contact] | None = None,
    notes: str = "",
) -> Outcome:
    organization = organization_get_or_create(name=organization_name)
    if organization is None:
        raise ValidationError({"organization_name": "Enter the organization."})
    helpers = helped_by or []
    if any(c.owner_id != owner.pk for c in helpers):
        raise ValidationError({"helped_by": "Choose among your own contacts."})
    with transaction.atomic():
        outcome = Outcome.objects.create(
            owner=owner,
            kind=kind,
            organization=organization,
            title=title,
            decided_on=decided_on or timezone.localdate(),
            notes=notes,
        )
        outcome.helped_by.set(helpers)
    return outcome


def outcome_delete(*, outcome: Outcome) -> None:
    outcome.delete()
