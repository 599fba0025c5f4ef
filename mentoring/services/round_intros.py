"""The introduction email a published match round sends each pair: the merge fields staff may
use in the round's own subject and body, the defaults, and rendering and sending it."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils.translation import gettext, gettext_noop

from mentoring.models import Match
from networking_app.core.emails import render_email, send_templated_email
from networking_app.notifications.links import absolute

INTRO_EMAIL = "round_intro"

# --- The introduction email ------------------------------------------------------------------

MERGE_FIELDS = (
    "student_name",
    "volunteer_name",
    "volunteer_organization",
    "round_name",
    "booking_url",
)
_MERGE_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

# Offered in the language of the staff member who sets the round up (`default_intro_subject`,
# `default_intro_body`): staff edit them, and what the round keeps is sent as it is.
DEFAULT_INTRO_SUBJECT = gettext_noop("{round_name}: meet {volunteer_name}")
DEFAULT_INTRO_BODY = gettext_noop("""Hello {student_name} and {volunteer_name},

The career office has matched you in {round_name} for a short flash-mentoring conversation.

{student_name}, {volunteer_name} ({volunteer_organization}) has offered a little time to \
talk about their work and answer your questions. Please pick one of their open times here:
{booking_url}

{volunteer_name}, thank you for giving your time. You will get the request as soon as \
{student_name} picks a time.

Enjoy the conversation!""")


def default_intro_subject() -> str:
    return gettext(DEFAULT_INTRO_SUBJECT)


def default_intro_body() -> str:
    return gettext(DEFAULT_INTRO_BODY)


def unknown_merge_fields(text: str) -> list[str]:
    """Merge fields in `text` that we do not fill in, e.g. a typo like {studnet_name}."""
    return sorted({name for name in _MERGE_FIELD.findall(text) if name not in MERGE_FIELDS})


def merge(text: str, values: dict[str, str]) -> str:
    """Fill in the merge fields. Only our own names are replaced, with plain text: staff's
    template is never evaluated (str.format would let "{student_name.__class__}" through)."""
    return _MERGE_FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def intro_values(match: Match) -> dict[str, str]:
    mentor = getattr(match.volunteer, "mentor", None)
    organization = getattr(mentor, "organization", None) if mentor else None
    return {
        "student_name": match.student.display_name,
        "volunteer_name": match.volunteer.display_name,
        "volunteer_organization": organization.name if organization else "",
        "round_name": match.round.name,
        "booking_url": absolute(reverse("mentoring:round_match", kwargs={"match_id": match.pk})),
    }


def _intro_context(match: Match) -> dict:
    """What templates/emails/round_intro.* show: the round's own subject and body, merged."""
    match_round = match.round
    values = intro_values(match)
    subject_template = match_round.intro_subject or default_intro_subject()
    body_template = match_round.intro_body or default_intro_body()
    body = merge(body_template, values)
    if "{booking_url}" not in body_template:
        book = gettext("Book a time: %(url)s") % {"url": values["booking_url"]}
        body = f"{body.rstrip()}\n\n{book}"
    return {
        "subject": merge(subject_template, values),
        "body": body,
        "booking_url": values["booking_url"],
        "match": match,
    }


def intro_render(match: Match) -> tuple[str, str, str]:
    """Subject, text and HTML of the introduction for one pair, from the round's template."""
    return render_email(INTRO_EMAIL, context=_intro_context(match))


def send_intro(match: Match) -> None:
    # One message to both (they reply to each other), so no recipient's zone: it shows no time.
    send_templated_email(
        INTRO_EMAIL,
        context=_intro_context(match),
        to=[match.student.email, match.volunteer.email],
        # The outbox stores one message per key: publishing twice cannot email a pair twice.
        key=f"round-intro:{match.pk}",
    )
