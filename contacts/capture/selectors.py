"""Email capture's reads: the student's capture page, and one of their captured messages."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.shortcuts import get_object_or_404

from contacts.capture.models import CaptureAddress, CapturedMessage, CaptureStatus
from contacts.capture.services import capture_address_for, capture_email
from networking_app.accounts.models import User


@dataclass(frozen=True)
class CapturePage:
    address: CaptureAddress | None  # None while CAPTURE_DOMAIN is not set
    email: str
    verified: list[str]
    proposals: list[CapturedMessage]
    recent: list[CapturedMessage]


def capture_page(*, user: User, limit: int = 20) -> CapturePage:
    """The address (drawn on the first visit), the addresses it accepts mail from, the people
    proposed as new contacts and what was logged last: a fixed number of queries."""
    if not settings.CAPTURE_DOMAIN:
        return CapturePage(address=None, email="", verified=[], proposals=[], recent=[])
    address = capture_address_for(user=user)
    fields = (
        "subject",
        "sent_at",
        "kind",
        "direction",
        "counterpart_email",
        "counterpart_name",
        "moved_to",
        "conversation_id",
    )
    mine = CapturedMessage.objects.filter(owner=user)
    proposals = mine.filter(status=CaptureStatus.PROPOSED).only(*fields).order_by("-sent_at", "-id")
    recent = (
        mine.filter(status=CaptureStatus.LOGGED)
        .select_related("contact")
        .only(*fields, "contact__name")
        .order_by("-created_at", "-id")
    )
    return CapturePage(
        address=address,
        email=capture_email(address),
        verified=list(
            EmailAddress.objects.filter(user=user, verified=True)
            .order_by("-primary", "email")
            .values_list("email", flat=True)
        ),
        proposals=list(proposals[:limit]),
        recent=list(recent[:limit]),
    )


def captured_get_for_user(*, user: User, captured_id: int) -> CapturedMessage:
    """One of the student's proposed messages; anyone else's, or one already logged, is a 404."""
    return get_object_or_404(
        CapturedMessage, pk=captured_id, owner=user, status=CaptureStatus.PROPOSED
    )
