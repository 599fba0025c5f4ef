"""Demo data for `make run`: the accounts (accounts.demo), then each app's own demo content."""

from __future__ import annotations

from django.db import transaction

from contacts.demo import demo_contacts_load
from events.demo import demo_events_load
from mentoring.demo import demo_mentoring_load
from networking_app.accounts.demo import (
    DEMO_ACCOUNTS,
    DemoAccount,
    demo_accounts_load,
    demo_staff_mfa_activate,
)
from networking_app.console.demo import demo_console_load


@transaction.atomic
def demo_data_load() -> list[DemoAccount]:
    """Create the demo accounts and content if they are missing; running it again changes
    nothing."""
    people = demo_accounts_load()
    demo_contacts_load(student=people.student)
    demo_mentoring_load(volunteer=people.volunteer, student=people.student)
    demo_events_load()
    demo_console_load()
    demo_staff_mfa_activate(staff=people.staff)
    return DEMO_ACCOUNTS
