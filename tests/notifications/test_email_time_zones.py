"""Every email shows times in its recipient's own time zone and names the zone.

One scenario per kind of email (tests/notifications/time_zone_helpers.py), produced by the real
service that sends it, for a recipient in America/New_York, while the person acting (or the
worker) runs in another zone. The scenarios run twice: in winter (EST), and on the eve of the
spring change, where the clock reads EST but the conversation happens in EDT. A template added
under templates/emails/, or a reminder kind added to the registry, without a scenario fails
`test_every_email_kind_has_a_scenario`.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import timezone

from networking_app.notifications.kinds import REGISTRY
from tests.notifications.time_zone_helpers import (
    ELSEWHERE,
    NEW_YORK,
    REMINDER_KINDS,
    SCENARIOS,
    SEASONS,
)

pytestmark = pytest.mark.django_db

EMAIL_TEMPLATES = Path(settings.BASE_DIR) / "templates" / "emails"
# A clock time anywhere in a subject or body, outside URLs and tokens: "11:00 AM", "16:00".
CLOCK = re.compile(r"(?<![\w:/.%-])(\d{1,2}:\d{2})(?![\w:])(?: ?([AaPp]\.? ?[Mm]\.?))?")


def _local(instant: dt.datetime) -> tuple[str, str]:
    """("11:00 AM", "EST"): the wall clock and zone a New Yorker reads, computed here
    independently of the code under test."""
    local = instant.astimezone(ZoneInfo(NEW_YORK))
    return local.strftime("%I:%M %p").lstrip("0"), local.tzname()


def _local_date(instant: dt.datetime) -> str:
    local = instant.astimezone(ZoneInfo(NEW_YORK))
    return f"{local:%A} {local.day} {local:%B %Y}"


def test_every_email_kind_has_a_scenario():
    templates = {
        path.name.removesuffix(".subject.txt") for path in EMAIL_TEMPLATES.glob("*.subject.txt")
    }
    templates.add("allauth")  # allauth's own messages, wrapped in emails/allauth.html
    covered = {scenario.__name__.split(":")[0] for scenario in SCENARIOS}
    assert covered == templates
    assert set(REMINDER_KINDS) == set(REGISTRY)


# --- The check ------------------------------------------------------------------------------


def _clock_times(part: str) -> list[tuple[str, str]]:
    """Each clock time in `part` with the zone named after it ("" if none). A time followed
    by " to " takes the zone of the end of its range."""
    found = []
    for match in CLOCK.finditer(part):
        clock = match.group(1) + (f" {match.group(2).upper()}" if match.group(2) else "")
        after = part[match.end() :]
        if after.startswith(" to "):
            end = CLOCK.search(after)
            after = after[end.end() :] if end else ""
        zone = re.match(r" \(?([A-Z]{3,5})\b", after)
        found.append((clock, zone.group(1) if zone else ""))
    return found


@pytest.mark.parametrize("season", SEASONS, ids=[s.name for s in SEASONS])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.__name__ for s in SCENARIOS])
def test_a_new_yorker_reads_every_email_in_their_own_time_zone(scenario, season, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Everyone but the recipient reads another zone, the default one included.
    settings.DEFAULT_USER_TIME_ZONE = getattr(scenario, "default_zone", ELSEWHERE)
    mail.outbox.clear()
    with time_machine.travel(season.now, tick=False), timezone.override(ELSEWHERE):
        written = scenario(season)

    allowed = {_local(instant) for instant in written.instants}
    parts = {"subject": written.subject, "text": written.text, "html": written.html}
    for name, part in parts.items():
        for clock, zone in _clock_times(part):
            assert (clock, zone) in allowed, (
                f"the {name} shows {clock} {zone or '(no zone)'}; a New Yorker should only "
                f"see {sorted(allowed) or 'no time at all'}:\n{part}"
            )
    assert written.text.strip()
    assert written.html.strip()
    if written.instants:
        clock, zone = _local(written.instants[0])
        shown = f"{_local_date(written.instants[0])}, {clock}"
        for name, part in (("text", written.text), ("html", written.html)):
            assert f"{shown} {zone}" in part or f"{shown} to " in part, (
                f"the {name} lacks {shown} {zone}:\n{part}"
            )
            assert zone in part
