"""Access rows for the staff console (tests/test_access.py discovers this module).

Staff routes answer 403 to students and volunteers, like the other staff pages; POST-only
routes are a 405 to a GET whoever asks (their POST is tested in tests/console)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

LOGIN = "login"
STAFF_ONLY = (LOGIN, 403, 403, 403, 200)
POST_ONLY = (405, 405, 405, 405, 405)

ACCESS = {
    "console:dashboard": STAFF_ONLY,
    "console:chart_export": STAFF_ONLY,
    "console:dashboard_recompute": POST_ONLY,
    "console:volunteers": STAFF_ONLY,
    "console:volunteer_decide": POST_ONLY,
    "console:invitations": STAFF_ONLY,
    "console:invitation_revoke": POST_ONLY,
    # The link in an invitation email: anonymous visitors go on to sign-up; signed-in people
    # are asked to sign out first (never signed out by a link).
    "console:invitation_accept": (302, 200, 200, 200, 200),
    "console:labels": STAFF_ONLY,
    "console:label_detail": STAFF_ONLY,
    "console:label_remove": POST_ONLY,
    "console:nudges": STAFF_ONLY,
    "console:nudge_send": POST_ONLY,
    "console:audit": STAFF_ONLY,
}


def access_objects(student, volunteer, staff) -> dict:
    from networking_app.console.models import EligibilityLabel, VolunteerInvitation

    label = EligibilityLabel.objects.create(name="First-gen", created_by=staff)
    invitation = VolunteerInvitation.objects.create(
        email="invited@example.org",
        created_by=staff,
        expires_at=timezone.now() + dt.timedelta(days=7),
    )
    return {
        "chart_key": "funnel",
        "volunteer_id": volunteer.pk,
        "invitation_id": invitation.pk,
        "invite_token": invitation.token,
        "eligibility_id": label.pk,
    }
