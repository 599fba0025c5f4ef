"""Demo accounts for `make run`: one per role, so a new user can explore at once."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction

from networking_app.accounts.models import Affiliation, ApprovalStatus, Role, User
from networking_app.accounts.services import profile_create_for_role, user_finish_staff_setup

DEMO_PASSWORD = "rapport-demo-2026"  # noqa: S105 (printed on the console on purpose)
# A fixed base32 secret so `manage.py totp_code` can print the demo staff's current code.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    description: str


DEMO_ACCOUNTS = [
    DemoAccount("student@example.edu", Role.STUDENT, "student"),
    DemoAccount("volunteer@example.org", Role.VOLUNTEER, "volunteer (approved alumna)"),
    DemoAccount("new.volunteer@example.org", Role.VOLUNTEER, "volunteer awaiting approval"),
    DemoAccount("staff@example.edu", Role.STAFF, "career-office staff (TOTP: make totp)"),
]


def _verified(user: User) -> None:
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


@dataclass(frozen=True)
class DemoPeople:
    student: User
    volunteer: User
    staff: User


@transaction.atomic
def demo_accounts_load() -> DemoPeople:
    """Create the demo accounts if they are missing; running it again changes nothing. The
    apps' demo content is loaded by networking_app.demo, which sits above them all."""
    if not User.objects.filter(email="student@example.edu").exists():
        student = User.objects.create_user("student@example.edu", DEMO_PASSWORD, role=Role.STUDENT)
        profile_create_for_role(
            user=student,
            role=Role.STUDENT,
            display_name="Sam Rivera",
            time_zone="America/New_York",
            class_year=2027,
            major="Economics",
        )
        _verified(student)

    if not User.objects.filter(email="volunteer@example.org").exists():
        volunteer = User.objects.create_user(
            "volunteer@example.org", DEMO_PASSWORD, role=Role.VOLUNTEER
        )
        profile_create_for_role(
            user=volunteer,
            role=Role.VOLUNTEER,
            display_name="Priya Shah",
            time_zone="America/Los_Angeles",
            affiliation=Affiliation.ALUMNI,
            class_year=2012,
        )
        volunteer.volunteer_profile.status = ApprovalStatus.APPROVED
        volunteer.volunteer_profile.save(update_fields=["status"])
        _verified(volunteer)

    if not User.objects.filter(email="new.volunteer@example.org").exists():
        pending = User.objects.create_user(
            "new.volunteer@example.org", DEMO_PASSWORD, role=Role.VOLUNTEER
        )
        profile_create_for_role(
            user=pending,
            role=Role.VOLUNTEER,
            display_name="Jordan Lee",
            time_zone="Europe/London",
            affiliation=Affiliation.PARENT,
        )
        _verified(pending)

    if not User.objects.filter(email="staff@example.edu").exists():
        staff = User.objects.create_user(
            "staff@example.edu", DEMO_PASSWORD, role=Role.STAFF, is_staff=True, is_superuser=True
        )
        user_finish_staff_setup(user=staff)
        staff.profile.display_name = "Alex Morgan"
        staff.profile.time_zone = "America/New_York"
        staff.profile.save()
    return DemoPeople(
        student=User.objects.get(email="student@example.edu"),
        volunteer=User.objects.get(email="volunteer@example.org"),
        staff=User.objects.get(email="staff@example.edu"),
    )


def demo_staff_mfa_activate(*, staff: User) -> None:
    """The demo staff member's TOTP, from a fixed secret (`make totp` prints the code)."""
    if not Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(staff, DEMO_TOTP_SECRET)
