"""Closing an account: what each app does to its data, registered in its AppConfig.ready()
like the reminder kinds (networking_app/notifications/kinds.py). accounts/deletion.py runs the
registered steps in order inside its transaction, so accounts imports none of the apps above
it.

A step may count what the ErasedAccount tally keeps (`tally`, read before anything changes),
change or remove rows (`run`, inside the transaction, the user's row locked), and do what must
wait for the commit (`after_commit`, given the user's id). Steps run by `order`:

  10 tell the people they were due to meet (mentoring), 20 give up event seats (events),
  30 take their ids out of shared rows (mentoring's rounds), 40 delete their photo's file once
  committed (mentoring), 50 sweep the outbox (notifications: after every notice above, so
  none escapes), 60 the audit logs (accounts), 70 invitations (console), 80 end their login
  sessions (accounts).

The helpers below find and replace copies of a person's name and address in free text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q

from networking_app.accounts.models import User

REPLACEMENT_NAME = "a former member"
REPLACEMENT_EMAIL = "former-member@invalid"
# A display name this short could be part of other words: it is not searched for in free text.
MIN_NAME_LENGTH = 4


@dataclass(frozen=True)
class ClosingStep:
    name: str  # "mentoring.call_off"
    order: int
    # user -> ErasedAccount fields (counts, cohort), read before any step runs.
    tally: Callable[[User], dict] | None = None
    # (user, now) -> None, inside the transaction.
    run: Callable[[User, dt.datetime], None] | None = None
    # user_id -> None, once the transaction has committed.
    after_commit: Callable[[int], None] | None = None


REGISTRY: dict[str, ClosingStep] = {}


def register(step: ClosingStep) -> ClosingStep:
    REGISTRY[step.name] = step
    return step


def closing_steps() -> list[ClosingStep]:
    return sorted(REGISTRY.values(), key=lambda step: (step.order, step.name))


# --- Copies of their name and address ---------------------------------------------------------


def scrubber(user: User) -> Callable[[str], str]:
    """A function replacing the person's address and (long enough) name in a text."""
    patterns = [re.escape(user.email)]
    name = user.display_name.strip()
    if len(name) >= MIN_NAME_LENGTH:
        patterns.append(r"\b" + re.escape(name) + r"\b")
    regex = re.compile("|".join(patterns), re.IGNORECASE)

    def scrub(text: str) -> str:
        return regex.sub(
            lambda m: REPLACEMENT_EMAIL if "@" in m.group(0) else REPLACEMENT_NAME, text
        )

    return scrub


def text_filter(fields: list[str], needles: list[str]) -> Q:
    query = Q()
    for field in fields:
        for needle in needles:
            query |= Q(**{f"{field}__icontains": needle})
    return query


def needles(user: User) -> list[str]:
    name = user.display_name.strip()
    return [user.email] + ([name] if len(name) >= MIN_NAME_LENGTH else [])
