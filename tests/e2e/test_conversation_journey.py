"""A career conversation from start to finish, through the real pages only.

The student adds a target employer and a contact there, plans an informational interview with
prepared questions, sends the intro, schedules it, moves it when the contact asks, holds it,
adds the person she suggested, thanks her, and finds it all on the contact pages and Today.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from contacts.models import (
    ChangeKind,
    Contact,
    Conversation,
    ConversationChange,
    ConversationStatus,
    PreparedQuestion,
    Question,
)
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import as_shown, as_typed, label, status_message, where_it_stands
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

TARGET = "Northwind Analytics"
MAYA = "Maya Chen"
MAYA_EMAIL = "maya@example.com"
DEV = "Dev Patel"
GOAL = "How a data analyst spends the first year at a small analytics firm"
BANK_1 = "How did you find your job?"
BANK_2 = "What advice do you have for someone looking to enter this field?"
OWN_QUESTION = "Which tools do new analysts at Northwind learn first?"
ANSWERS = {
    BANK_1: "Through a professor's introduction, after a summer project.",
    BANK_2: "Build a portfolio of two or three real analyses and write them up clearly.",
    OWN_QUESTION: "SQL first, then dbt and a BI tool.",
}
TAKEAWAY = "Build a small public portfolio of real analyses"
NOTES = "Friendly, 30 minutes on video. She offered to review my portfolio later."
MEETING_LINK = "https://meet.example.com/maya-chen"
RESCHEDULE_REASON = "She had a conflict"
APOSTROPHE = "\u2019"  # the pages use a typographic apostrophe (U+2019)


# --- Helpers ---------------------------------------------------------------------------------


def ensure_starter_questions() -> None:
    # A data migration adds the starter bank; a transactional test run before this one (as
    # live_server tests are) flushes every table, so put them back the way the migration does.
    migration = importlib.import_module(
        "contacts.migrations.0002_search_index_and_starter_questions"
    )
    for text in migration.STARTER_QUESTIONS:
        Question.objects.get_or_create(owner=None, text=text)


# --- The journey -----------------------------------------------------------------------------


def test_student_runs_a_career_conversation_from_contact_to_thank_you(
    live_server, page: Page, student
):
    ensure_starter_questions()
    base = live_server.url
    zone = ZoneInfo(student.profile.time_zone)
    soon = (timezone.now().astimezone(zone) + dt.timedelta(days=3)).replace(
        hour=14, minute=0, second=0, microsecond=0
    )
    later = (soon + dt.timedelta(days=2)).replace(hour=10, minute=30)
    nav = page.get_by_role("navigation", name="Main")

    # 1. Log in through the form.
    page.goto(base + "/accounts/login/")
    page.get_by_label(label("Email")).fill(student.email)
    page.get_by_label(label("Password")).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Alice Student")

    # 2. A target organization, on the Targets page.
    nav.get_by_role("link", name="Targets").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Target organizations")
    expect(page.get_by_text("No target organization yet.")).to_be_visible()
    page.get_by_label(label("Organization")).fill(TARGET)
    page.get_by_label(label("Priority")).select_option(label="High")
    page.get_by_role("button", name="Add target").click()
    expect(status_message(page, f"{TARGET} is one of your targets.")).to_be_visible()
    target_row = page.get_by_role("row").filter(has_text=TARGET)
    expect(target_row).to_contain_text("High")
    expect(target_row).to_contain_text("None yet")  # no contact there yet

    # 3. Maya, through the Add contact form.
    nav.get_by_role("link", name="Contacts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your contacts")
    page.get_by_role("link", name="Add contact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a contact")
    page.get_by_label(label("Name")).fill(MAYA)
    page.get_by_label(label("Organization")).fill(TARGET)
    page.get_by_label(label("Email address")).fill(MAYA_EMAIL)
    page.get_by_label(label("How you know each other")).select_option(label="Alumna / alumnus")
    screenshot(page, "journey_contact_form_1280")
    page.get_by_role("button", name="Add contact").click()

    expect(status_message(page, f"{MAYA} is added.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(MAYA)
    expect(page.get_by_text(MAYA_EMAIL, exact=True)).to_be_visible()
    profile = page.locator("section").filter(
        has=page.get_by_role("heading", name="Profile", exact=True)
    )
    expect(profile).to_contain_text(TARGET)
    expect(profile).to_contain_text("Alumna / alumnus")

    # 4. Plan the conversation: a goal, two starter questions and one of her own.
    page.get_by_role("link", name="Plan a conversation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Plan a conversation with {MAYA}")
    page.get_by_label(label("What I want to learn")).fill(GOAL)
    page.get_by_label(BANK_1, exact=True).check()
    page.get_by_label(BANK_2, exact=True).check()
    page.get_by_label(label("New question 1")).fill(OWN_QUESTION)
    page.get_by_role("button", name="Plan the conversation").click()

    expect(
        status_message(page, f"Your conversation with {MAYA} is planned. Next: write the intro")
    ).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Conversation with {MAYA}")
    expect(where_it_stands(page)).to_have_text("Where it stands: Planned")
    prep = page.locator("#prep")
    expect(prep).to_contain_text(GOAL)
    expect(prep.locator("ol.pl-questions > li > span")).to_have_text([BANK_1, BANK_2, OWN_QUESTION])
    conversation_url = page.url

    # 5. The intro email went out (today, the default date).
    page.get_by_role("button", name="Mark intro sent").click()
    expect(status_message(page, f"Marked “Intro sent” for {MAYA}.")).to_be_visible()
    expect(where_it_stands(page)).to_have_text("Where it stands: Intro sent")
    expect(page.locator("#status")).to_contain_text("Waiting for an answer since")

    # 6. She said yes: schedule it, on video, with a link.
    page.get_by_label(label("Date and time")).fill(as_typed(soon))
    page.get_by_role("radio", name="Video").check()
    page.get_by_label(label("Place or link")).fill(MEETING_LINK)
    page.get_by_role("button", name="Schedule the conversation").click()

    expect(status_message(page, f"Scheduled with {MAYA}: {as_shown(soon)}")).to_be_visible()
    expect(where_it_stands(page)).to_have_text("Where it stands: Scheduled")
    status = page.locator("#status")
    expect(status).to_contain_text(f"{as_shown(soon)}")
    expect(status).to_contain_text("30 minutes, video")
    expect(status.get_by_role("link", name=MEETING_LINK)).to_have_attribute("href", MEETING_LINK)
    screenshot(page, "journey_conversation_scheduled_1280")

    # 7. She asks to move it: reschedule, and the history says so.
    page.get_by_text("Reschedule the meeting", exact=True).click()
    reschedule = page.locator("#reschedule")
    reschedule.get_by_label(label("New date and time")).fill(as_typed(later))
    reschedule.get_by_role("radio", name="They asked").check()
    reschedule.get_by_label(label("Reason (optional)")).fill(RESCHEDULE_REASON)
    reschedule.get_by_role("button", name="Move the meeting").click()

    expect(status_message(page, f"Moved to {as_shown(later)}")).to_be_visible()
    expect(where_it_stands(page)).to_have_text("Where it stands: Scheduled")
    expect(page.locator("#status")).to_contain_text(as_shown(later))
    history = page.locator("#history")
    expect(history.get_by_role("heading", name="Reschedules and cancellations")).to_be_visible()
    change_rows = history.locator("tbody tr")
    expect(change_rows).to_have_count(1)
    expect(change_rows.first.locator("td")).to_have_text(
        [
            re.compile(r"^Rescheduled on "),
            MAYA,  # who asked
            re.compile(re.escape(as_shown(soon))),
            re.compile(re.escape(as_shown(later))),
            RESCHEDULE_REASON,
        ]
    )

    # Meanwhile Today lists it as coming up, at the new time, with her questions.
    nav.get_by_role("link", name="Today").click()
    upcoming = page.locator("#today-upcoming").get_by_role("article")
    expect(upcoming).to_have_count(1)
    expect(upcoming.get_by_role("heading")).to_have_text(f"{MAYA}, {TARGET}")
    expect(upcoming).to_contain_text(f"{as_shown(later)} {later.tzname()} · video · {MEETING_LINK}")
    expect(upcoming.get_by_role("listitem")).to_have_text([BANK_1, BANK_2, OWN_QUESTION])
    upcoming.get_by_role("link", name=MAYA).click()
    expect(page).to_have_url(conversation_url)

    # 8. After the meeting: answers, notes and takeaways, then "held"; then the referral.
    # The meeting is still days away, so the page puts the prep first and folds the rest.
    expect(page.locator("section.pl-stage").first).to_have_id("prep")
    during = page.locator("#during")
    page.locator("#during > details > summary").click()
    page.locator("#after > details > summary").click()
    expect(during.get_by_role("heading", name="Answers to your questions")).to_be_visible()
    during.get_by_label(label("Notes")).fill(NOTES)
    for question, answer in ANSWERS.items():
        during.get_by_label(question, exact=True).fill(answer)
    page.locator("#after").get_by_label(label("Takeaways")).fill(
        f"{TAKEAWAY}.\nAsk her to review it in March."
    )
    during.get_by_role("button", name="Save and mark as held").click()

    expect(
        status_message(page, "Marked as held, and your notes are saved. Send a thank-you note")
    ).to_be_visible()
    expect(where_it_stands(page)).to_have_text("Where it stands: Held")
    expect(page.get_by_role("heading", name="Send your thank-you note")).to_be_visible()
    for question, answer in ANSWERS.items():
        expect(page.get_by_label(question, exact=True)).to_have_value(answer)
    expect(page.get_by_label(label("Notes"))).to_have_value(NOTES)

    after = page.locator("#after")
    referral_form = after.locator("details.pl-details").filter(
        has_text=f"Add someone {MAYA} suggested"
    )
    expect(referral_form).to_have_attribute("open", "")  # open while there is no referral
    referral_form.get_by_label(label("Name")).fill(DEV)
    referral_form.get_by_label("They said I may use their name when I reach out").check()
    referral_form.get_by_role("button", name="Add to my contacts").click()

    expect(
        status_message(page, f"{DEV} is now one of your contacts, referred by {MAYA}.")
    ).to_be_visible()
    referral_item = page.locator("#after li").filter(has_text=DEV)
    expect(referral_item).to_have_text(f"{DEV} · may use {MAYA}{APOSTROPHE}s name")
    expect(where_it_stands(page)).to_have_text("Where it stands: Held")
    screenshot(page, "journey_conversation_held_1280")

    # 9. The thank-you draft mentions the takeaway; marking it sent thanks her.
    page.locator("#status").get_by_role("link", name="Write the thank-you note").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Thank-you email to {MAYA}")
    expect(page.get_by_label(label("To"))).to_have_value(MAYA_EMAIL)
    expect(page.get_by_label(label("Subject"))).to_have_value("Thank you for your time")
    body = page.get_by_label(label("Message"))
    expect(body).to_have_value(re.compile(r"^Dear Maya,"))
    # The first line of the takeaways, pasted as typed after "your advice about" (so its
    # capital letter too): compared without case.
    expect(body).to_have_value(re.compile(re.escape(TAKEAWAY), re.IGNORECASE))
    expect(page.get_by_text("Marking it sent moves the conversation to “Thanked”.")).to_be_visible()
    # No placeholder to fill in, and the student edits it in place: the email link follows.
    expect(body).not_to_have_value(re.compile(r"\.\.\.|\{"))
    body.press("Control+End")
    body.type("\nP.S. See you at the alumni panel.")
    mail_link = page.get_by_role("link", name="Open in my email app")
    expect(mail_link).to_have_attribute("href", re.compile(r"P\.S\.%20See%20you%20at"))
    screenshot(page, "journey_thank_you_draft_1280")
    page.get_by_role("button", name="Mark as sent").click()

    expect(page).to_have_url(conversation_url)
    expect(status_message(page, f"Noted: you sent the thank-you email to {MAYA}.")).to_be_visible()
    expect(where_it_stands(page)).to_have_text("Where it stands: Thanked")
    expect(page.locator("#after")).to_contain_text(f"You thanked {MAYA} on ")
    expect(page.get_by_role("button", name="Mark thanked")).to_have_count(0)

    # 10. Maya's page: the whole story on her timeline, and the person she referred.
    page.get_by_role("link", name=f"{MAYA}{APOSTROPHE}s contact page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(MAYA)
    timeline = page.locator("#timeline").get_by_role("listitem")
    # Newest first: all of it happened today, so the order is the order it was recorded.
    expect(timeline).to_have_count(5)
    expect(timeline.nth(0)).to_contain_text("Email")
    expect(timeline.nth(0)).to_contain_text("Sent a thank-you email.")
    expect(timeline.nth(1)).to_contain_text("Video call")
    expect(timeline.nth(1)).to_contain_text("Career conversation.")
    expect(timeline.nth(2)).to_contain_text("Conversation rescheduled (They asked)")
    expect(timeline.nth(2)).to_contain_text(RESCHEDULE_REASON)
    expect(timeline.nth(3)).to_contain_text("Email")
    expect(timeline.nth(3)).to_contain_text("Sent an intro email asking for a conversation.")
    expect(timeline.nth(4)).to_contain_text("Career conversation")
    expect(timeline.nth(4).locator(".badge")).to_have_text("Thanked")
    expect(timeline.nth(4)).to_contain_text(GOAL)

    referrals = page.locator("section").filter(
        has=page.get_by_role("heading", name="Referrals", exact=True)
    )
    expect(referrals).to_contain_text(f"Nobody referred you to {MAYA}.")
    expect(
        referrals.get_by_role("heading", name=f"People {MAYA} suggested you talk to")
    ).to_be_visible()
    dev_item = referrals.get_by_role("listitem").filter(has_text=DEV)
    expect(dev_item).to_have_count(1)
    expect(dev_item).to_contain_text(f"May use {MAYA}'s name")
    expect(page.locator("#timeline")).to_be_visible()
    screenshot(page, "journey_contact_timeline_1280")

    dev_item.get_by_role("link", name=DEV).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(DEV)
    dev_referrals = page.locator("section").filter(
        has=page.get_by_role("heading", name="Referrals", exact=True)
    )
    expect(dev_referrals).to_contain_text(f"Referred by {MAYA}.")
    expect(dev_referrals.get_by_role("link", name=MAYA)).to_be_visible()
    expect(dev_referrals.get_by_text("May use their name", exact=True)).to_be_visible()
    expect(dev_referrals).to_contain_text(f"You may mention {MAYA} when you write.")
    expect(page.get_by_text("Referral", exact=True)).to_be_visible()  # how you know them

    # 11. Today: nothing is waiting, and no thank-you is overdue for Maya.
    nav.get_by_role("link", name="Today").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Alice Student")
    page.goto(base + "/my/today/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Today")
    expect(page.get_by_role("heading", name="Thank-you notes to write")).to_have_count(0)
    expect(page.get_by_role("link", name=f"Write the thank-you note to {MAYA}")).to_have_count(0)
    expect(page.get_by_role("heading", name="You are all caught up")).to_be_visible()
    screenshot(page, "journey_today_1280")

    # And in the database.
    maya = Contact.objects.get(owner=student, name=MAYA)
    assert maya.email == MAYA_EMAIL
    assert maya.organization.name == TARGET
    assert maya.relationship == "alumni"
    conversation = Conversation.objects.get(owner=student, contact=maya)
    assert conversation_url.endswith(f"/my/conversations/{conversation.pk}/")
    assert conversation.status == ConversationStatus.THANKED
    assert conversation.mode == "video"
    assert conversation.location == MEETING_LINK
    # It was marked held before the rescheduled time: the record keeps when it really happened,
    # and the reschedule stays in the history below.
    assert conversation.held_at is not None
    assert conversation.scheduled_at == conversation.held_at
    assert conversation.thanked_at is not None
    assert conversation.takeaways.startswith(TAKEAWAY)
    changes = ConversationChange.objects.filter(conversation=conversation)
    assert [(c.kind, c.asked_by, c.reason) for c in changes] == [
        (ChangeKind.RESCHEDULED, "them", RESCHEDULE_REASON)
    ]
    assert changes[0].previous_at == soon
    assert changes[0].new_at == later
    questions = PreparedQuestion.objects.filter(conversation=conversation)
    assert {q.text: q.answer for q in questions} == ANSWERS
    dev = Contact.objects.get(owner=student, name=DEV)
    assert dev.referred_by == maya
    assert dev.may_use_referrer_name is True
