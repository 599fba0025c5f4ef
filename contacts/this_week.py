"""Other apps' appointments that the Today page must know of: its all-clear must not say "no
conversation this week" above a flash-mentoring session that is. Apps register a check in
their AppConfig.ready() (mentoring does), like the reminder kinds, so contacts imports none of
them."""

from __future__ import annotations

from collections.abc import Callable

# check(user=...) -> True when the student has something of that app's this week.
THIS_WEEK_CHECKS: list[Callable[..., bool]] = []


def register_this_week_check(check: Callable[..., bool]) -> Callable[..., bool]:
    if check not in THIS_WEEK_CHECKS:
        THIS_WEEK_CHECKS.append(check)
    return check


def has_something_this_week(*, user) -> bool:
    return any(check(user=user) for check in THIS_WEEK_CHECKS)
