"""The whole product, one story per role, through the real pages (issue 9, "The whole journey").

- A student signs up, confirms her address, logs in, fills her profile, adds a target and a
  contact, takes a career conversation from plan to thank-you, books a volunteer from the
  directory (who accepts), RSVPs to an event and imports her LinkedIn connections.
- A volunteer signs up, is approved, fills his mentor profile and availability, accepts a
  student's request, and after the conversation marks it held and gives feedback.
- Staff log in with TOTP, approve a volunteer, run a match round from creation to publication
  and find the story in the programme dashboard.

What the other side does (the volunteer accepting, a student asking, sign-ups to a round) goes
through the services, as the other person's own pages are covered by their own story and by
the focused tests in this folder.
"""

from __future__ import annotations

import datetime as dt
import email
import re
from email import policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from contacts.imports.models import ImportBatch
from contacts.models import Contact, Conversation, ConversationStatus
from events.models import RSVP, RSVPStatus
from mentoring.models import (
    Feedback,
    FlashRequest,
    Match,
    MatchRound,
    Mentor,
    RequestStatus,
    RoundStatus,
    Session,
    SessionStatus,
)
from mentoring.services.availability import open_slots
from mentoring.services.profiles import mentor_refresh_bookable
from mentoring.services.requests import flash_request_accept, flash_request_create
from networking_app.accounts.models import ApprovalStatus, User
from networking_app.console.services import volunteer_decide
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import (
    as_shown,
    as_typed,
    current_totp_code,
    label,
    log_in,
    log_out,
    status_message,
    where_it_stands,
)
from tests.events.factories import EventFactory
from tests.factories import PASSWORD, StaffFactory, StudentFactory, VolunteerFactory
from tests.mentoring.helpers import bookable_mentor, sign_up_student, sign_up_volunteer, topic

pytestmark = pytest.mark.browser

CONNECTIONS = Path(__file__).resolve().parent.parent / "data" / "linkedin_connections.csv"
STUDENT_ZONE = "America/New_York"
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


# --- Helpers ---------------------------------------------------------------------------------


def sign_up(page: Page, base: str, *, role: str, name: str, address: str, password: str) -> None:
    """Fill the sign-up form as a student or a volunteer (an alumna/alumnus)."""
    page.goto(base + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", name="Sign Up")).to_be_visible()
    if role == "student":
        page.get_by_label("I am a student").check()
    else:
        page.get_by_label(re.compile("alumna/alumnus, parent or friend of the school")).check()
        page.get_by_label(label("Your connection to the school (volunteers)")).select_option(
            "alumni"
        )
    page.get_by_label(label("Your name")).fill(name)
    page.get_by_label(label("Email")).fill(address)
    page.get_by_label(label("Password")).fill(password)
    page.get_by_label(label("Password (again)")).fill(password)
    page.get_by_label(label("Time zone")).select_option(STUDENT_ZONE)


def confirm_address(page: Page, address: str, name: str) -> None:
    """Open the confirmation email on the development "Sent mail" page (the `mailbox`
    fixture), follow its link and confirm."""
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    page.get_by_role("link", name="Sent mail (development)").click()
    expect(page.get_by_role("heading", name="Sent mail")).to_be_visible()
    page.get_by_role("row").filter(has_text=address).filter(
        has_text=re.compile("confirm", re.I)
    ).get_by_role("link").click()
    expect(page.get_by_role("heading", name=re.compile("Confirm Your Email", re.I))).to_be_visible()
    # (No "/" in the pattern: Playwright hands it to the page as a JavaScript /regex/ literal.)
    page.locator("#mail-text").get_by_role(
        "link", name=re.compile(r"accounts.confirm-email.[^\s]+")
    ).click()
    expect(page.get_by_role("heading", name="Confirm Email Address")).to_be_visible()
    page.get_by_role("button", name="Confirm").click()
    # A student lands on onboarding's first step (the journeys go home from there); a
    # volunteer lands home.
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(rf"^(About you|Welcome, {re.escape(name)})$"))
    if heading.inner_text() == "About you":
        page.get_by_role("link", name="Finish later").click()
    expect(heading).to_have_text(f"Welcome, {name}")


def subjects_to(mailbox, address: str) -> list[str]:
    """The subjects of the messages to `address` in the development mailbox, oldest first."""
    subjects = []
    for path in sorted(mailbox.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if address in message["To"]:
            subjects.append(str(message["Subject"]))
    return subjects


def staff_logs_in(page: Page, base: str, staff) -> None:
    log_in(page, base, staff.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    page.get_by_label(label("Code")).fill(current_totp_code())
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))


def stat(scope, name: str):
    """The value (<dd>) of the statistic called `name` in a <dl class="stats"> under `scope`."""
    return (
        scope.locator("dl.stats > div")
        .filter(has=scope.page.locator("dt").get_by_text(name, exact=True))
        .locator("dd")
    )


def section(page: Page, heading: str):
    return page.locator("section").filter(
        has=page.get_by_role("heading", name=heading, exact=True, level=2)
    )


# --- The student -----------------------------------------------------------------------------


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


# --- The volunteer ---------------------------------------------------------------------------


VOLUNTEER = "Victor Okoro"
VOLUNTEER_EMAIL = "victor@example.org"
VOLUNTEER_PASSWORD = "a-long-and-unusual-passphrase-58"
ORGANIZATION = "Litware Energy"
REQUEST_MESSAGE = "I would like to hear how you moved from engineering into energy trading."
VOLUNTEER_LINK = "https://meet.example.com/victor"


def test_volunteer_from_sign_up_to_feedback(live_server, page: Page, mailbox):
    base = live_server.url
    nav = page.get_by_role("navigation", name="Main")
    erin = StaffFactory(profile__display_name="Erin Staff")
    student = StudentFactory(email="sam@example.edu", profile__display_name="Sam Student")

    # --- 1. Sign up and confirm -------------------------------------------------------------
    sign_up(
        page,
        base,
        role="volunteer",
        name=VOLUNTEER,
        address=VOLUNTEER_EMAIL,
        password=VOLUNTEER_PASSWORD,
    )
    page.get_by_label(label("Class year (optional)")).fill("2010")
    page.get_by_role("button", name="Sign Up").click()
    confirm_address(page, VOLUNTEER_EMAIL, VOLUNTEER)
    expect(page.locator("#approval-status")).to_contain_text("awaiting approval")
    expect(page.locator("#listing-status")).to_contain_text("Not listed")
    screenshot(page, "whole_volunteer_01_home_pending")

    # --- 2. The career office approves him ---------------------------------------------------
    victor = User.objects.get(email=VOLUNTEER_EMAIL)
    volunteer_decide(profile=victor.volunteer_profile, staff=erin, decision="approve")
    page.reload()
    expect(page.locator("#approval-status")).to_contain_text("Your volunteer account is approved")
    assert any(
        re.match(r"You are approved as a .* volunteer", subject)
        for subject in subjects_to(mailbox, VOLUNTEER_EMAIL)
    ), subjects_to(mailbox, VOLUNTEER_EMAIL)

    # --- 3. Mentor profile and availability --------------------------------------------------
    nav.get_by_role("link", name="My profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your mentor profile")
    expect(page.get_by_label(label("Class year (if you studied here)"))).to_have_value("2010")
    page.get_by_label(label("Organization")).fill(ORGANIZATION)
    page.get_by_label(label("Job title")).fill("Head of trading")
    page.get_by_label(label("Industry")).fill("Energy")
    page.get_by_label(label("Job function")).fill("Trading")
    page.get_by_label(label("About you")).fill("Engineer turned energy trader.")
    page.get_by_label("Career switch").check()
    page.get_by_label("Video").check()
    page.get_by_label("I have read and accept the code of conduct").check()
    page.get_by_label(re.compile("^List me in the directory")).check()
    page.get_by_role("button", name="Save mentor profile").click()
    expect(status_message(page, "Your mentor profile is saved.")).to_be_visible()

    nav.get_by_role("link", name="Availability").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your availability")
    weekly = page.locator("#weekly")
    for day in WEEKDAYS:
        weekly.get_by_label(label("Day")).select_option(label=day)
        weekly.get_by_label(label("From")).fill("09:00")
        weekly.get_by_label(label("To")).fill("17:00")
        weekly.get_by_role("button", name="Add weekly time").click()
        expect(status_message(page, f"Added {day}, 9:00 AM to 5:00 PM.")).to_be_visible()
    expect(page.locator("#preview").get_by_role("listitem").first).to_be_visible()
    screenshot(page, "whole_volunteer_02_availability")

    nav.get_by_role("link", name="Home").click()
    listing = page.locator("#listing-status")
    expect(listing).to_contain_text("Listed")
    expect(listing).to_contain_text("Students can find you")
    mentor = Mentor.objects.get(user=victor)
    assert mentor.is_bookable

    # --- 4. A student asks for one of his times; he accepts on the page ----------------------
    slot = open_slots(mentor, limit=1)[0]
    flash_request_create(
        student=student, mentor=mentor, start_at=slot.start_at, message=REQUEST_MESSAGE
    )
    assert any(
        subject.startswith("Sam Student asks you for a")
        for subject in subjects_to(mailbox, VOLUNTEER_EMAIL)
    ), subjects_to(mailbox, VOLUNTEER_EMAIL)
    page.reload()
    waiting = page.locator("#requests-waiting")
    expect(waiting).to_have_text("1 request waiting for your answer")
    screenshot(page, "whole_volunteer_03_home_request_waiting")
    waiting.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Requests for you")
    page.locator("#requests-open").get_by_role("link", name="Sam Student").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request from Sam Student")
    expect(page.locator("#request-message")).to_have_text(REQUEST_MESSAGE)
    answer = page.locator("#answer")
    answer.get_by_role("radio", name="Video").check()
    answer.get_by_label(label("Place or link")).fill(VOLUNTEER_LINK)
    answer.get_by_role("button", name="Accept the request").click()
    expect(status_message(page, "Accepted.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Flash Mentoring with Sam Student")
    expect(page.locator("#session-place")).to_contain_text(VOLUNTEER_LINK)
    session = Session.objects.get(volunteer=victor)
    assert session.request.status == RequestStatus.ACCEPTED

    nav.get_by_role("link", name="Home").click()
    expect(page.locator(f"#session-{session.pk}").get_by_role("link")).to_have_text("Sam Student")

    # --- 5. The conversation took place yesterday: held, and his feedback --------------------
    start = timezone.now() - dt.timedelta(days=1)
    end = start + dt.timedelta(minutes=30)
    Session.objects.filter(pk=session.pk).update(start_at=start, end_at=end)
    FlashRequest.objects.filter(pk=session.request_id).update(start_at=start, end_at=end)
    page.reload()
    past = page.locator(f"#session-{session.pk}")
    expect(past).to_contain_text("Scheduled")
    past.get_by_role("link", name="Give your feedback on your session with Sam Student").click()
    expect(page.get_by_role("heading", name="Did the conversation take place?")).to_be_visible()
    page.get_by_role("button", name="Mark as held").click()
    expect(status_message(page, "Marked as held.")).to_be_visible()
    expect(page.locator("#status")).to_contain_text("Held")
    feedback = page.locator("#feedback")
    feedback.get_by_role("radio", name="5", exact=True).check()
    feedback.get_by_label(label("Comments (optional)")).fill("Curious and well prepared.")
    feedback.get_by_role("checkbox", name="I would meet again").check()
    feedback.get_by_role("button", name="Send my feedback").click()
    expect(status_message(page, "Thank you for your feedback.")).to_be_visible()
    expect(page.locator("#feedback-given")).to_contain_text("You gave 5 out of 5")
    screenshot(page, "whole_volunteer_04_session_held")

    nav.get_by_role("link", name="Home").click()
    expect(page.locator(f"#session-{session.pk}")).to_contain_text("Held")
    screenshot(page, "whole_volunteer_05_home_after")

    session.refresh_from_db()
    assert session.status == SessionStatus.COMPLETED  # shown as "Held"
    [given] = Feedback.objects.filter(session=session)
    assert (given.author_id, given.rating, given.would_meet_again) == (victor.pk, 5, True)


# --- Staff -----------------------------------------------------------------------------------


ROUND = "Autumn flash mentoring"


def test_staff_from_approval_through_a_round_to_the_dashboard(
    live_server, page: Page, staff, pending_volunteer
):
    base = live_server.url
    nav = page.get_by_role("navigation", name="Main")
    student = StudentFactory(email="riya@example.edu", profile__display_name="Riya Student")
    # Dana has filled her mentor profile and asked to be listed: approval lists her.
    dana = bookable_mentor(
        pending_volunteer, is_bookable=False, organization="Litware Energy", industry="Energy"
    )
    dana.topics.set([topic("Career switch")])

    # --- 1. Log in with the second factor ----------------------------------------------------
    staff_logs_in(page, base, staff)
    expect(page.get_by_role("heading", level=1)).to_have_text("Career Office")
    expect(page.locator("#pending-volunteers")).to_contain_text("Dana Pending")

    # --- 2. Approve the pending volunteer from the console's volunteers page ----------------
    nav.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme dashboard")
    # The figures seen in step 2 are kept for a few minutes: staff ask for fresh ones.
    expect(page.get_by_text("Figures as of")).to_be_visible()
    page.get_by_role("button", name="Recompute now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme dashboard")
    mentoring = section(page, "Mentoring")
    expect(stat(mentoring, "Awaiting approval")).to_have_text("1")
    expect(stat(mentoring, "Volunteers listed")).to_have_text("0")
    console = page.get_by_role("navigation", name="Staff console")
    console.get_by_role("link", name="Volunteers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Volunteers")
    page.get_by_label(label("Status")).select_option("pending")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#volunteer-list")).to_contain_text("dana@example.org")
    screenshot(page, "whole_staff_01_volunteers_pending")
    page.get_by_role("button", name="Approve Dana Pending").click()
    expect(page.get_by_role("status").filter(has_text="Dana Pending is approved")).to_be_visible()
    expect(page.locator("#volunteer-list")).to_have_count(0)  # nobody is pending any more
    page.get_by_label(label("Status")).select_option("approved")
    page.get_by_role("button", name="Show").click()
    approved = page.locator("#volunteer-list li").filter(has_text="Dana Pending")
    expect(approved).to_contain_text("Approved")
    expect(approved).to_contain_text("Litware Energy")  # the whole profile, for the review
    expect(approved).to_contain_text("· listed")
    pending_volunteer.volunteer_profile.refresh_from_db()
    assert pending_volunteer.volunteer_profile.status == ApprovalStatus.APPROVED
    dana.refresh_from_db()
    assert dana.is_bookable

    # --- 3. A match round: create and open ---------------------------------------------------
    nav.get_by_role("link", name="Match rounds").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Match rounds")
    page.get_by_role("link", name="New match round").click()
    today = timezone.localdate()
    deadline = timezone.localtime() + dt.timedelta(days=3)
    page.get_by_label(label("Name")).fill(ROUND)
    page.get_by_label(label("Sign-up deadline")).fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label(label("Conversations from")).fill((today + dt.timedelta(days=5)).isoformat())
    page.get_by_label(label("Conversations until")).fill(
        (today + dt.timedelta(days=26)).isoformat()
    )
    page.get_by_role("button", name="Save round").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(ROUND)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Draft")
    page.get_by_role("button", name="Open for sign-up").click()
    expect(page.get_by_role("status").filter(has_text="is open for sign-up")).to_be_visible()
    match_round = MatchRound.objects.get(name=ROUND)
    assert match_round.status == RoundStatus.OPEN

    # A student and the volunteer just approved opt in (from their own pages, elsewhere).
    sign_up_volunteer(match_round, pending_volunteer, capacity=1)
    sign_up_student(match_round, student, topics=("Career switch",), industries="Energy")
    page.reload()
    signups = page.locator("#signups-heading + .stats")
    expect(stat(page.locator("section").filter(has=signups), "Students")).to_have_text("1")
    expect(stat(page.locator("section").filter(has=signups), "Volunteers")).to_have_text("1")
    screenshot(page, "whole_staff_02_round_open")

    # --- 4. Close, run the matcher, review, publish ------------------------------------------
    page.get_by_role("button", name="Close sign-up").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review matches")
    page.get_by_role("button", name="Run the matcher").click()
    expect(
        page.get_by_role("status").filter(has_text="The matcher proposed 1 match ")
    ).to_be_visible()
    rows = page.locator("#match-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Riya Student")
    expect(rows.first).to_contain_text("Dana Pending")
    screenshot(page, "whole_staff_03_round_review")
    page.get_by_role("link", name="Publish and introduce the pairs…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Publish {ROUND}")
    page.get_by_role("button", name="Publish and send 1 email").click()
    expect(
        page.get_by_role("status").filter(has_text=f"{ROUND} is published: 1 introduction email")
    ).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Published")
    [match] = Match.objects.filter(round=match_round)
    assert (match.student_id, match.volunteer_id, match.published) == (
        student.pk,
        pending_volunteer.pk,
        True,
    )

    # --- 5. The programme dashboard tells the story ------------------------------------------
    nav.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme dashboard")
    # The figures seen in step 2 are kept for a few minutes: staff ask for fresh ones.
    expect(page.get_by_text("Figures as of")).to_be_visible()
    page.get_by_role("button", name="Recompute now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme dashboard")
    mentoring = section(page, "Mentoring")
    expect(stat(mentoring, "Awaiting approval")).to_have_text("0")
    expect(stat(mentoring, "Volunteers listed")).to_have_text("1")
    expect(stat(section(page, "Students"), "Students")).to_have_text("1")
    round_row = mentoring.get_by_role("row").filter(has_text=ROUND)
    expect(round_row.locator("td")).to_have_text(
        [re.compile(r"\d{4}"), "Published", "1", "1", "1", "100%"]
    )
    screenshot(page, "whole_staff_04_dashboard")
    round_row.get_by_role("link", name=ROUND).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(ROUND)
