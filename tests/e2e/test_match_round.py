"""A match round from start to finish in the browser: staff (with TOTP) create and open a
round, a student joins it through the sign-up page, more students and volunteers are seeded,
staff close sign-up, run the matcher, lock a match, re-run (the lock is kept), publish, and
the pairs' introduction emails go out; a matched student opens the booking link."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from mentoring.models import Match, MatchRound, RoundStatus, RoundStudent
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import current_totp_code, label, log_in
from tests.factories import PASSWORD, StudentFactory, VolunteerFactory
from tests.mentoring.helpers import mentor_for, sign_up_student, sign_up_volunteer

pytestmark = pytest.mark.browser

ROUND = "Spring flash mentoring"
TOPICS = ["Industry insight", "Career switch", "Resume review", "Interview practice"]
INDUSTRIES = ["Fintech", "Public health", "Energy", "Media"]
# Volunteers' weekly windows, in their own (default) time zone.
VOLUNTEER_WINDOWS = [
    [(0, dt.time(9), dt.time(12)), (2, dt.time(9), dt.time(12))],
    [(1, dt.time(13), dt.time(17)), (3, dt.time(13), dt.time(17))],
    [(2, dt.time(17), dt.time(20)), (4, dt.time(9), dt.time(12))],
    [(d, dt.time(9), dt.time(17)) for d in range(5)],
]
STUDENT_BLOCKS = [
    [[0, 9, 12], [1, 12, 17]],
    [[2, 17, 21]],
    [[3, 12, 17], [4, 9, 12]],
    [[d, 9, 12] for d in range(5)],
]


def _seed_people():
    volunteers = []
    for i in range(8):
        volunteer = VolunteerFactory(profile__display_name=f"Volunteer {chr(65 + i)}")
        mentor_for(
            volunteer,
            industry=INDUSTRIES[i % 4],
            topics=(TOPICS[i % 4], TOPICS[(i + 1) % 4]),
            windows=VOLUNTEER_WINDOWS[i % 4],
            bookable=True,
            organization=f"Company {chr(65 + i)}",
        )
        volunteers.append(volunteer)
    students = [StudentFactory(profile__display_name=f"Student {i:02d}") for i in range(1, 22)]
    return students, volunteers


def _seed_signups(match_round, students, volunteers):
    for volunteer in volunteers:
        sign_up_volunteer(match_round, volunteer, capacity=2)
    for i, student in enumerate(students):
        sign_up_student(
            match_round,
            student,
            topics=(TOPICS[i % 4],),
            industries=INDUSTRIES[(i + 1) % 4],
            preferences=[volunteers[i % 8].pk] if i % 3 == 0 else [],
            availability=STUDENT_BLOCKS[i % 4],
        )
    # One student is only free on Sunday nights: nobody shares that time.
    lonely = StudentFactory(profile__display_name="Student Sunday")
    sign_up_student(match_round, lonely, availability=[[6, 17, 21]])


def _staff_logs_in(page: Page, base: str, staff) -> None:
    log_in(page, base, staff.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_label(label("Code")).fill(current_totp_code())
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))


def _status(text: str):
    return re.compile(re.escape(text))


def test_staff_run_a_match_round_from_sign_up_to_introductions(
    live_server, page: Page, chromium_browser, staff
):
    base = live_server.url
    students, volunteers = _seed_people()
    joiner = StudentFactory(email="jo@example.edu", profile__display_name="Jo Joiner")

    # --- Staff create and open the round --------------------------------------------------
    _staff_logs_in(page, base, staff)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Match rounds").click()
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
    expect(page.get_by_label(label("Introduction email: message"))).to_contain_text("{booking_url}")
    screenshot(page, "round_new_1280")
    page.get_by_role("button", name="Save round").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(ROUND)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Draft")
    page.get_by_role("button", name="Open for sign-up").click()
    expect(page.get_by_role("status").filter(has_text="is open for sign-up")).to_be_visible()
    match_round = MatchRound.objects.get(name=ROUND)
    assert match_round.status == RoundStatus.OPEN
    _seed_signups(match_round, students, volunteers)

    # --- A student joins through the sign-up page -----------------------------------------
    student_context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    student_page = student_context.new_page()
    try:
        log_in(student_page, base, joiner.email, PASSWORD)
        student_page.goto(base + "/mentoring/rounds/open/")
        expect(student_page.locator("#rounds-open-to-you")).to_contain_text(ROUND)
        student_page.get_by_role("link", name=f"Join {ROUND}").click()
        student_page.get_by_label("Resume review").check()
        student_page.get_by_label(label("Industries you are curious about")).fill("Energy")
        student_page.get_by_label(label("First choice")).select_option(
            label="Volunteer D (Company D)"
        )
        student_page.get_by_label("Tuesday afternoon").check()
        student_page.get_by_label("Thursday afternoon").check()
        screenshot(student_page, "round_join_1280")
        student_page.get_by_role("button", name=f"Join {ROUND}").click()
        expect(
            student_page.get_by_role("status").filter(has_text=f"You joined {ROUND}")
        ).to_be_visible()
        expect(student_page.get_by_text("Signed up", exact=True)).to_be_visible()
    finally:
        student_context.close()
    signup = RoundStudent.objects.get(round=match_round, student=joiner)
    assert signup.availability == [[1, 12, 17], [3, 12, 17]]
    assert signup.preferences == [volunteers[3].pk]

    # --- Staff close sign-up and run the matcher ------------------------------------------
    page.reload()
    expect(page.locator("#signups-heading + .stats")).to_contain_text("23")  # 22 + Jo
    screenshot(page, "round_detail_1280", full_page=False)
    page.get_by_role("button", name="Close sign-up").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review matches")
    page.get_by_role("button", name="Run the matcher").click()
    expect(
        page.get_by_role("status").filter(has_text="The matcher proposed 16 matches")
    ).to_be_visible()
    rows = page.locator("#match-table tbody tr")
    expect(rows).to_have_count(16)
    expect(page.locator("#unmatched")).to_contain_text("no volunteer with a shared time")
    expect(page.locator("#unmatched")).to_contain_text("every compatible volunteer is full")
    expect(rows.first.locator(".why-this-match")).to_contain_text("shared hours a week")
    screenshot(page, "round_review_1280")

    # --- Lock a match, re-run: the lock is kept -------------------------------------------
    last = Match.objects.filter(round=match_round).order_by("-locked", "-score", "pk").last()
    name = last.student.display_name
    page.get_by_role("button", name=f"Lock {name}", exact=True).click()
    row = page.locator(f"#match-{last.pk}")
    expect(row.get_by_text("Locked", exact=True)).to_be_visible()
    page.get_by_role("button", name="Re-run the matcher").click()
    expect(
        page.get_by_role("status").filter(has_text="The matcher proposed 16 matches")
    ).to_be_visible()
    expect(page.get_by_text("Keeps the 1 locked match.")).to_be_visible()
    kept = Match.objects.get(pk=last.pk)
    assert kept.locked
    assert kept.volunteer_id == last.volunteer_id
    expect(page.locator(f"#match-{last.pk}").get_by_text("Locked", exact=True)).to_be_visible()
    expect(rows.first).to_contain_text(name)  # locked matches come first
    screenshot(page, "round_review_locked_1280")

    # --- Publish: one introduction per pair -----------------------------------------------
    mail.outbox.clear()
    page.get_by_role("link", name="Publish and introduce the pairs…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Publish {ROUND}")
    expect(page.locator("pre")).to_contain_text("Please pick one of their open times here")
    screenshot(page, "round_publish_1280")
    page.get_by_role("button", name="Publish and send 16 emails").click()
    expect(
        page.get_by_role("status").filter(has_text="16 introduction emails sent")
    ).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Published")

    assert len(mail.outbox) == 16
    matches = {
        m.pk: m
        for m in Match.objects.filter(round=match_round).select_related("student", "volunteer")
    }
    assert all(m.published for m in matches.values())
    pairs = {frozenset(message.to) for message in mail.outbox}
    assert pairs == {frozenset({m.student.email, m.volunteer.email}) for m in matches.values()}
    for message in mail.outbox:
        ((html, mimetype),) = message.alternatives
        assert mimetype == "text/html"
        assert "/mentoring/rounds/matches/" in message.body
        assert "Pick a time to talk" in html

    # --- A matched student follows the booking link ---------------------------------------
    student_match = matches[last.pk]
    message = next(m for m in mail.outbox if student_match.student.email in m.to)
    # Links in emails are built from SITE_URL: follow the same path on the live server.
    path = re.search(r"/mentoring/rounds/matches/\d+/", message.body).group(0)
    assert path == f"/mentoring/rounds/matches/{student_match.pk}/"
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Log out").click()
    log_in(page, base, student_match.student.email, PASSWORD)
    page.goto(base + path)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Meet {student_match.volunteer.display_name}"
    )
    expect(page.get_by_role("group", name=re.compile("Open times of"))).to_be_visible()
    screenshot(page, "round_match_booking_1280")
    page.get_by_label(label("What would you like to learn?")).fill(
        "How did you move into energy after university?"
    )
    page.get_by_role(
        "button", name=f"Ask {student_match.volunteer.display_name} for this time"
    ).click()
    expect(page.get_by_role("status").filter(has_text="Your request is on its way")).to_be_visible()
    expect(page.locator("#match-booked")).to_be_visible()
    assert student_match.requests.get().student_id == student_match.student_id
