"""What closing an account does to contacts (a step registered with accounts/closing.py in
ContactsConfig.ready): only the tally's counts; every row of theirs goes by the cascade."""

from __future__ import annotations

from django.db.models import Count, Q

from contacts.models import Contact, Conversation, Outcome
from networking_app.accounts.closing import ClosingStep, register
from networking_app.accounts.models import User


def _tally(user: User) -> dict:
    conversations = Conversation.objects.filter(owner=user).aggregate(
        total=Count("id"),
        held=Count("id", filter=Q(held_at__isnull=False)),
        thanked=Count("id", filter=Q(thanked_at__isnull=False)),
    )
    return {
        "contacts": Contact.objects.filter(owner=user).count(),
        "conversations": conversations["total"],
        "conversations_held": conversations["held"],
        "conversations_thanked": conversations["thanked"],
        "outcomes": Outcome.objects.filter(owner=user).count(),
    }


def register_closing_steps() -> None:
    register(ClosingStep("contacts.tally", order=0, tally=_tally))
