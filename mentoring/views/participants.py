"""What the flash request and session views share: services' refusals shown as messages, and
the rule that only students and volunteers have requests and sessions (staff get a 404)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404


def flash_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def participant_required(request) -> None:
    """Requests and sessions belong to students and volunteers; staff have none here."""
    if not (request.user.is_student or request.user.is_volunteer):
        raise Http404
