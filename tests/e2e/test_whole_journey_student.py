"""The student's whole journey through the real pages (issue 9, "The whole journey").

A student signs up, confirms her address, logs in, fills her profile, adds a target and a
contact, takes a career conversation from plan to thank-you, books a volunteer from the
directory (who accepts), RSVPs to an event and imports her LinkedIn connections.

What the volunteer does (accepting her request) goes through the services, as the volunteer's
own pages are covered by their own story and by the focused tests in this folder.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from contacts.imports.models import ImportBatch
from contacts.models import Contact, Conversation, ConversationStatus
from events.models import RSVP, RSVPStatus
from mentoring.models import FlashRequest, Session, SessionStatus
from mentoring.services.availability import open_slots
from mentoring.services.profiles import mentor_refresh_bookable
from mentoring.services.requests import flash_request_accept
from networking_app.accounts.models import User
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import (
    STUDENT_ZONE,
    as_shown,
    as_typed,
    confirm_address,
    label,
    log_in,
    log_out,
    section,
    sign_up,
    status_message,
    subjects_to,
    where_it_stands,
)
from tests.events.factories import EventFactory
from tests.factories import VolunteerFactory
from tests.mentoring.helpers import bookable_mentor

pytestmark = pytest.mark.browser

CONNECTIONS = Path(__file__).resolve().parent.parent / "data" / "linkedin_connections.csv"


STUDENT = "Nadia Student"
STUDENT_EMAIL = "nadia@example.edu"
STUDENT_PASSWORD = "a-long-and-unusual-passphrase-31"
TARGET = "Contoso Health"
CONTACT = "Omar Haddad"
CONTACT_EMAIL = "omar.haddad@example.com"
GOAL = "What a product analyst does in a hospital group"
NOTES = "He moved from nursing into analytics; suggests learning SQL this summer."
MEETING_LINK = "https://meet.example.com/omar-haddad"
EVENT = "Health-care careers evening"
MENTOR = "Carol Volunteer"
MENTOR_MESSAGE = "How did you choose your first analytics job?"


def test_student_from_sign_up_to_an_import(live_server, page: Page, mailbox):
    base = live_server.url
    nav = page.get_by_role("navigation", name="Main")
    # Set up around her: a bookable volunteer in the directory and an event coming up.
    carol = VolunteerFactory(
        email="carol@example.org",
        profile__display_name=MENTOR,
        profile__time_zone="America/Chicago",
    )
    mentor = bookable_mentor(carol, title="Senior data analyst", organization="Fabrikam")
    # What the directory searches, as saving her profile through the pages would compute it.
    mentor = mentor_refresh_bookable(user=carol)
    assert mentor.is_bookable
    event = EventFactory(title=EVENT, place="Alumni Hall")

    # --- 1. Sign up, confirm the address, log out and back in ------------------------------
    sign_up(
        page, base, role="student", name=STUDENT, address=STUDENT_EMAIL, password=STUDENT_PASSWORD
    )
    page.get_by_label(label("Class year (optional)")).fill("2028")
    page.get_by_role("button", name="Sign Up").click()
    confirm_address(page, STUDENT_EMAIL, STUDENT)
    screenshot(page, "whole_student_01_home_new")
    log_out(page)
    log_in(page, base, STUDENT_EMAIL, STUDENT_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {STUDENT}")

    # --- 2. Her profile ---------------------------------------------------------------------
    nav.get_by_role("link", name="Profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    expect(page.get_by_label(label("Time zone"))).to_have_value(STUDENT_ZONE)
    expect(page.get_by_label(label("Class year"))).to_have_value("2028")
    page.get_by_label(label("Major")).fill("Public health")
    page.get_by_label(label("Interests")).fill("Health data, hospital operations")
    page.get_by_label(label("Potential career goals")).fill("Analyst in a hospital group")
    page.get_by_label(label("Target industries")).fill("Health care, Analytics")
    page.get_by_role("button", name="Save profile").click()
    expect(status_message(page, "Your profile is saved.")).to_be_visible()
    nav.get_by_role("link", name="Today").click()
    about = section(page, "Your profile")
    expect(about).to_contain_text("Public health")
    expect(about).to_contain_text("2028")
    expect(about).to_contain_text(STUDENT_ZONE)

    # --- 3. A target organization and a contact there ---------------------------------------
    nav.get_by_role("link", name="Targets").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Target organizations")
    page.get_by_label(label("Organization")).fill(TARGET)
    page.get_by_label(label("Priority")).select_option(label="High")
    page.get_by_role("button", name="Add target").click()
    expect(status_message(page, f"{TARGET} is one of your targets.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=TARGET)).to_contain_text("High")

    nav.get_by_role("link", name="Contacts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your contacts")
    page.get_by_role("link", name="Add contact").click()
    page.get_by_label(label("Name")).fill(CONTACT)
    page.get_by_label(label("Organization")).fill(TARGET)
    page.get_by_label(label("Email address")).fill(CONTACT_EMAIL)
    page.get_by_label(label("How you know each other")).select_option(label="Alumna / alumnus")
    page.get_by_role("button", name="Add contact").click()
    expect(status_message(page, f"{CONTACT} is added.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(CONTACT)

    # --- 4. A conversation: planned, intro sent, scheduled, held, thanked --------------------
    page.get_by_role("link", name="Plan a conversation").click()
    page.get_by_label(label("What I want to learn")).fill(GOAL)
    page.get_by_role("button", name="Plan the conversation").click()
    expect(where_it_stands(page)).to_have_text("Where it stands: Planned")
    conversation_url = page.url

    page.get_by_role("button", name="Mark intro sent").click()
    expect(where_it_stands(page)).to_have_text("Where it stands: Intro sent")

    zone = ZoneInfo(STUDENT_ZONE)
    soon = (timezone.now().astimezone(zone) + dt.timedelta(days=2)).replace(
        hour=15, minute=0, second=0, microsecond=0
    )
    page.get_by_label(label("Date and time")).fill(as_typed(soon))
    page.get_by_role("radio", name="Video").check()
    page.get_by_label(label("Place or link")).fill(MEETING_LINK)
    page.get_by_role("button", name="Schedule the conversation").click()
    expect(status_message(page, f"Scheduled with {CONTACT}: {as_shown(soon)}")).to_be_visible()
    expect(where_it_stands(page)).to_have_text("Where it stands: Scheduled")
    screenshot(page, "whole_student_02_conversation_scheduled")

    during = page.locator("#during")
    if during.locator("details:not([open])").count():  # folded while the meeting is ahead
        page.locator("#during > details > summary").click()
    during.get_by_label(label("Notes")).fill(NOTES)
    during.get_by_role("button", name="Save and mark as held").click()
    expect(where_it_stands(page)).to_have_text("Where it stands: Held")
    expect(page.get_by_label(label("Notes"))).to_have_value(NOTES)

    page.locator("#status").get_by_role("link", name="Write the thank-you note").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Thank-you email to {CONTACT}")
    expect(page.get_by_label(label("To"))).to_have_value(CONTACT_EMAIL)
    page.get_by_role("button", name="Mark as sent").click()
    expect(page).to_have_url(conversation_url)
    expect(where_it_stands(page)).to_have_text("Where it stands: Thanked")
    screenshot(page, "whole_student_03_conversation_thanked")

    nav.get_by_role("link", name="Conversations").click()
    thanked = page.locator("section.pl-column").filter(
        has=page.get_by_role("heading", name=re.compile(r"^Thanked"))
    )
    expect(thanked.locator(".pl-card")).to_contain_text(CONTACT)

    # --- 5. A volunteer from the directory ---------------------------------------------------
    nav.get_by_role("link", name="Directory").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Networking Directory")
    # The heading shows before the deferred scripts run: typing then would go unheard by htmx
    # (a real person types later). Wait for the load event, after htmx has set up the form.
    page.wait_for_load_state("load")
    page.get_by_label(label("Search")).fill("Fabrikam")
    expect(page).to_have_url(re.compile(r"q=Fabrikam"))  # htmx swapped the results in
    results = page.locator("#directory-results")
    expect(results.get_by_role("link", name=MENTOR, exact=True)).to_have_count(1)
    results.get_by_role("link", name=MENTOR, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(MENTOR)
    expect(page.locator("main")).to_contain_text(f"In your time zone, {STUDENT_ZONE}.")
    page.locator(".week-grid .slot-link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Ask {MENTOR} for a conversation")
    page.get_by_label(label("What I would like to learn")).fill(MENTOR_MESSAGE)
    page.get_by_role("button", name="Send the request").click()
    expect(status_message(page, f"Your request is on its way to {MENTOR}")).to_be_visible()
    expect(page.locator("#status")).to_contain_text("Waiting for the volunteer")

    # Carol accepts (from her side).
    flash_request = FlashRequest.objects.get(student__email=STUDENT_EMAIL)
    assert flash_request.volunteer_id == carol.pk
    assert open_slots(mentor, limit=1)[0].start_at > flash_request.start_at  # the slot is held
    session = flash_request_accept(flash_request=flash_request, by=carol)

    assert any(
        subject.startswith(f"Confirmed: flash mentoring with {MENTOR}")
        for subject in subjects_to(mailbox, STUDENT_EMAIL)
    ), subjects_to(mailbox, STUDENT_EMAIL)

    nav.get_by_role("link", name="Today").click()
    upcoming = page.locator(f"#session-{session.pk}")
    expect(upcoming.get_by_role("link", name=MENTOR)).to_be_visible()
    local_start = session.start_at.astimezone(zone)
    expect(upcoming).to_contain_text(f"{local_start.hour % 12 or 12}:{local_start:%M}")
    screenshot(page, "whole_student_04_today_with_session")

    # --- 6. An event -------------------------------------------------------------------------
    page.locator("#upcoming-events").get_by_role("link", name=EVENT).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(EVENT)
    page.locator("#rsvp").get_by_role("button", name="RSVP: I'm going").click()
    expect(page.locator("#rsvp-status")).to_contain_text("You are going")
    expect(page.locator("#check-in-code svg")).to_be_visible()
    screenshot(page, "whole_student_05_event_going")
    nav.get_by_role("link", name="Today").click()
    expect(page.locator("#upcoming-events li").filter(has_text=EVENT)).to_contain_text("Going")

    # --- 7. Her LinkedIn connections ---------------------------------------------------------
    nav.get_by_role("link", name="Contacts").click()
    page.get_by_role("link", name="Import contacts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import contacts")
    page.get_by_label(label("Your contacts file")).set_input_files(str(CONNECTIONS))
    page.get_by_role("button", name="Read the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review linkedin_connections.csv")
    expect(page.locator("#row-5")).to_contain_text("Same person as line 6 of this file")
    summary = page.locator("#import-summary")
    expect(summary).to_contain_text("add 8 contacts")
    screenshot(page, "whole_student_06_import_preview")
    page.get_by_role("button", name="Import these contacts").click()
    expect(page.locator("#messages")).to_contain_text("Imported: 8 added")
    page.get_by_role("link", name="See the contacts from this import").click()
    imported = page.locator("#contact-results")
    expect(imported).to_contain_text("(8 contacts)")
    for name in ("Priya Raman", "Zoë Chen-Whitfield", "Hannah Schmidt"):
        expect(imported.get_by_role("link", name=name)).to_be_visible()
    expect(imported).not_to_contain_text(CONTACT)

    nav.get_by_role("link", name="Contacts").click()
    everyone = page.locator("#contact-results")
    expect(everyone.get_by_role("link", name=CONTACT)).to_be_visible()
    expect(everyone.get_by_role("link", name="Priya Raman")).to_be_visible()
    screenshot(page, "whole_student_07_contacts")

    # And in the database.
    nadia = User.objects.get(email=STUDENT_EMAIL)
    assert nadia.is_student
    assert nadia.student_profile.major == "Public health"
    conversation = Conversation.objects.get(owner=nadia, contact__name=CONTACT)
    assert conversation.status == ConversationStatus.THANKED
    assert conversation.notes == NOTES
    assert Session.objects.get(pk=session.pk).status == SessionStatus.SCHEDULED
    assert RSVP.objects.get(event=event, user=nadia).status == RSVPStatus.GOING
    batch = ImportBatch.objects.get(owner=nadia)
    assert Contact.objects.filter(owner=nadia, import_batch=batch).count() == 8
    assert Contact.objects.filter(owner=nadia, name=CONTACT).exists()
