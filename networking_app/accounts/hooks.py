"""What other apps do when an account changes: registries they fill in their AppConfig.ready(),
like the reminder kinds (networking_app/notifications/kinds.py), so accounts never imports the
apps above it.

- after sign-up: the console redeems a volunteer's invitation link (approved at once);
- after a profile is saved: mentoring refreshes the volunteer's directory entry (their name);
- after a student becomes a volunteer (alumni): mentoring starts their mentor profile from
  what they entered as a student.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from networking_app.accounts.models import User

# (request, user) -> None; called inside the sign-up's transaction, after the profile rows exist.
SIGNUP_STEPS: list[Callable[[HttpRequest | None, User], None]] = []
# (user) -> None; called inside the transaction that saved the profile forms.
PROFILE_SAVED_STEPS: list[Callable[[User], None]] = []


# (user) -> None; called inside the transaction that turned a student into a volunteer.
BECAME_VOLUNTEER_STEPS: list[Callable[[User], None]] = []


def register_became_volunteer_step(step: Callable[[User], None]):
    if step not in BECAME_VOLUNTEER_STEPS:
        BECAME_VOLUNTEER_STEPS.append(step)
    return step


def became_volunteer_steps_run(*, user: User) -> None:
    for step in BECAME_VOLUNTEER_STEPS:
        step(user)


def register_signup_step(step: Callable[[HttpRequest | None, User], None]):
    if step not in SIGNUP_STEPS:
        SIGNUP_STEPS.append(step)
    return step


def register_profile_saved_step(step: Callable[[User], None]):
    if step not in PROFILE_SAVED_STEPS:
        PROFILE_SAVED_STEPS.append(step)
    return step


def signup_steps_run(*, request: HttpRequest | None, user: User) -> None:
    for step in SIGNUP_STEPS:
        step(request, user)


def profile_saved_steps_run(*, user: User) -> None:
    for step in PROFILE_SAVED_STEPS:
        step(user)
