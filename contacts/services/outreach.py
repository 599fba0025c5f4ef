"""Writes for what comes out of the networking: the student's email templates, drafts marked
sent (which log the email and move the pipeline on), and outcomes (offers, internships...)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.drafts import kind_label
from contacts.models import (
    Contact,
    Conversation,
    DraftKind,
    EmailTemplate,
    InteractionKind,
    Outcome,
)
from contacts.services.people import interaction_log, organization_get_or_create
from contacts.services.pipeline import conversation_mark_requested, conversation_mark_thanked
from networking_app.accounts.models import User

# --- Drafts and outcomes -------------------------------------------------------------------


def email_template_save(*, owner: User, kind: str, subject: str, body: str) -> EmailTemplate:
    template, _created = EmailTemplate.objects.update_or_create(
        owner=owner, kind=kind, defaults={"subject": subject, "body": body}
    )
    return template


def email_template_reset(*, owner: User, kind: str) -> None:
    EmailTemplate.objects.filter(owner=owner, kind=kind).delete()


def draft_mark_sent(
    *, kind: str, contact: Contact, conversation: Conversation | None = None
) -> None:
    """The student sent the draft: log it and move the pipeline on where it applies."""
    label = kind_label(kind).lower()
    if kind == DraftKind.INTRO and conversation is not None:
        conversation_mark_requested(conversation=conversation)
    elif kind == DraftKind.THANK_YOU and conversation is not None:
        conversation_mark_thanked(conversation=conversation)
    else:
        interaction_log(
            contact=contact,
            kind=InteractionKind.EMAIL,
            note=_("Sent a %(kind)s email.") % {"kind": label},
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
        raise ValidationError({"organization_name": _("Enter the organization.")})
    helpers = helped_by or []
    if any(c.owner_id != owner.pk for c in helpers):
        raise ValidationError({"helped_by": _("Choose among your own contacts.")})
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
