"""Writes that prepare and follow up a conversation: the question bank and a conversation's
prepared questions, action items, and referrals (“who else should I talk to?”)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts import reminders
from contacts.models import (
    ActionItem,
    Contact,
    Conversation,
    PreparedQuestion,
    Question,
    Relationship,
)
from contacts.services.common import owner_changed
from contacts.services.people import contact_create
from networking_app.accounts.models import User

# --- Questions, action items, referrals ----------------------------------------------------


def question_bank_add(*, owner: User, text: str) -> Question:
    return Question.objects.create(owner=owner, text=text.strip())


def question_prepare(*, conversation: Conversation, text: str) -> PreparedQuestion:
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the question.")})
    last = conversation.questions.aggregate(m=Max("position"))["m"]
    question = PreparedQuestion.objects.create(
        conversation=conversation, text=text, position=(last or 0) + 1
    )
    owner_changed(conversation.owner_id)
    return question


def question_answers_save(*, conversation: Conversation, answers: dict[int, str]) -> None:
    for question in conversation.questions.filter(pk__in=list(answers)):
        question.answer = answers[question.pk]
        question.save(update_fields=["answer"])


def question_remove(*, question: PreparedQuestion) -> None:
    question.delete()
    owner_changed(question.conversation.owner_id)


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
        owner_changed(owner.pk)
    return item


def action_item_toggle_done(*, item: ActionItem) -> ActionItem:
    with transaction.atomic():
        item.done_at = None if item.done_at else timezone.now()
        item.save(update_fields=["done_at"])
        reminders.sync_action_item(item)
        owner_changed(item.owner_id)
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
        how_met=_("Suggested by %(name)s") % {"name": referrer.name},
        notes=note,
        referred_by=referrer,
        may_use_referrer_name=may_use_name,
    )
