"""Builders the console tests share (and the route table's world)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from networking_app.console.models import EligibilityLabel, VolunteerInvitation


def console_objects(volunteer, staff) -> dict:
    """URL parameters naming an eligibility label, a volunteer invitation (and its token), the
    volunteer to decide on and a chart to export."""
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
