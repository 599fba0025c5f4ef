"""The "Remind me" card of a contact's page: set, list and cancel the student's own reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.reminders import custom_reminder_set
from networking_app.notifications import services as notify
from networking_app.notifications.models import Reminder, ReminderState
from tests.contacts.factories import ContactFactory
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db


@pytest.fixture
def maya(student):
    return ContactFactory(owner=student, name="Maya Chen")


def detail_url(contact) -> str:
    return reverse("contacts:detail", kwargs={"contact_id": contact.pk})


def add_url(contact) -> str:
    return reverse("contacts:reminder_add", kwargs={"contact_id": contact.pk})


def cancel_url(contact, reminder) -> str:
    return reverse(
        "contacts:reminder_cancel", kwargs={"contact_id": contact.pk, "reminder_id": reminder.pk}
    )


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def form_data(text="Send Maya the article on museum careers", due_on=None, repeat="") -> dict:
    due_on = in_days(3) if due_on is None else due_on
    return {"reminder-text": text, "reminder-due_on": str(due_on), "reminder-repeat": repeat}


def test_contact_page_has_the_remind_me_form(student_client, maya):
    html = student_client.get(detail_url(maya)).text
    assert 'id="reminders"' in html
    assert f'action="{add_url(maya)}#reminders"' in html
    assert 'name="reminder-text"' in html
    assert 'type="date" name="reminder-due_on"' in html
    for label in ("Once", "Every week", "Every month", "Every 3 months"):
        assert f">{label}</option>" in html
    assert "No reminder about Maya Chen yet." in html


def test_add_a_reminder_once(student_client, student, maya):
    response = student_client.post(add_url(maya), form_data(), follow=True)

    assert response.redirect_chain[-1][0] == detail_url(maya) + "#reminders"
    assert "We will remind you on" in response.text
    reminder = Reminder.objects.get(user=student, kind="custom")
    assert reminder.subject_key.startswith(f"contact:{maya.pk}:")
    assert reminder.text == "Send Maya the article on museum careers"
    assert reminder.repeat_days is None
    assert reminder.state == ReminderState.PENDING
    local_due = timezone.localtime(reminder.due_at, notify.user_zone(student))
    assert (local_due.date(), local_due.hour) == (in_days(3), 9)
    # Listed on the contact page, with its Cancel button.
    html = response.text
    assert "Send Maya the article on museum careers" in html
    assert f'action="{cancel_url(maya, reminder)}"' in html
    assert "No reminder about Maya Chen yet." not in html


@pytest.mark.parametrize(
    ("repeat", "days", "shown"),
    [("7", 7, "every week"), ("30", 30, "every month"), ("91", 91, "every 3 months")],
)
def test_add_a_repeating_reminder(student_client, student, maya, repeat, days, shown):
    response = student_client.post(
        add_url(maya), form_data(text="Check in", repeat=repeat), follow=True
    )
    reminder = Reminder.objects.get(user=student, kind="custom")
    assert reminder.repeat_days == days
    assert f", then {shown}" in response.text


def test_several_reminders_about_one_contact_are_listed_in_date_order(student_client, maya):
    custom_reminder_set(contact=maya, text="Later one", due_on=in_days(10))
    custom_reminder_set(contact=maya, text="Sooner one", due_on=in_days(1), repeat_days=7)
    other = ContactFactory(owner=maya.owner, name="Sam Rivera")
    custom_reminder_set(contact=other, text="About Sam", due_on=in_days(2))
    html = student_client.get(detail_url(maya)).text
    assert html.index("Sooner one") < html.index("Later one")
    assert "About Sam" not in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (form_data(text="   "), "text", "Write what you want to be reminded of."),
        (form_data(due_on=in_days(-1)), "due_on", "That day has passed"),
        (form_data(due_on="next tuesday"), "due_on", "Enter a date, like 2026-03-14."),
        (form_data(repeat="3"), "repeat", "Select a valid choice."),
    ],
)
def test_bad_input_shows_a_clear_error_on_the_contact_page_and_keeps_what_was_typed(
    student_client, student, maya, data, field, message
):
    response = student_client.post(add_url(maya), data)

    assert response.status_code == 200
    assert response.templates[0].name == "contacts/contact_detail.html"
    form = response.context["reminder_form"]
    assert list(form.errors) == [field]
    assert message in form.errors[field][0]
    html = response.text
    assert message.replace("'", "&#x27;") in html
    # Everything typed is still there.
    for name in ("text", "due_on", "repeat"):
        assert form[name].value() == data[f"reminder-{name}"]
    if field != "text":
        assert 'value="Send Maya the article on museum careers"' in html
    assert not Reminder.objects.filter(user=student).exists()


def test_a_reminder_for_today_is_accepted(student_client, student, maya):
    student_client.post(add_url(maya), form_data(due_on=in_days(0)))
    assert Reminder.objects.filter(user=student, kind="custom").count() == 1


def test_cancel_a_reminder(student_client, student, maya):
    keep = custom_reminder_set(contact=maya, text="Keep me", due_on=in_days(2))
    drop = custom_reminder_set(contact=maya, text="Drop me", due_on=in_days(3), repeat_days=30)

    response = student_client.post(cancel_url(maya, drop), follow=True)

    assert response.redirect_chain[-1][0] == detail_url(maya) + "#reminders"
    assert "Reminder cancelled: Drop me" in response.text
    drop.refresh_from_db()
    keep.refresh_from_db()
    assert drop.state == ReminderState.CANCELLED
    assert keep.state == ReminderState.PENDING
    html = response.text
    assert "Keep me" in html
    assert f'action="{cancel_url(maya, drop)}"' not in html
    # Twice: nothing left to cancel, and a clear message rather than an error.
    again = student_client.post(cancel_url(maya, drop), follow=True)
    assert "already finished or cancelled" in again.text


def test_a_sent_reminder_is_listed_until_cancelled(student_client, student, maya):
    reminder = custom_reminder_set(contact=maya, text="Congratulate her", due_on=in_days(0))
    Reminder.objects.filter(pk=reminder.pk).update(
        state=ReminderState.SENT, last_sent_at=timezone.now()
    )
    assert "Emailed" in student_client.get(detail_url(maya)).text
    student_client.post(cancel_url(maya, reminder))
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.CANCELLED


def test_cancel_checks_the_contact_and_the_kind(student_client, student, maya):
    other = ContactFactory(owner=student, name="Sam Rivera")
    about_sam = custom_reminder_set(contact=other, text="About Sam", due_on=in_days(2))
    # A reminder of Maya's id with another kind (stay in touch) is not one of these.
    stay = notify.reminder_schedule(
        user=student,
        kind="stay_in_touch",
        subject_key=f"contact:{maya.pk}",
        due_at=timezone.now() + dt.timedelta(days=1),
    )
    for reminder in (about_sam, stay):
        assert student_client.post(cancel_url(maya, reminder)).status_code == 404
        reminder.refresh_from_db()
        assert reminder.state == ReminderState.PENDING
    assert student_client.post(cancel_url(other, about_sam)).status_code == 302


@pytest.mark.parametrize("who", ["other_student_client", "volunteer_client", "staff_client"])
def test_nobody_else_can_add_or_cancel(request, student, maya, who):
    reminder = custom_reminder_set(contact=maya, text="Mine", due_on=in_days(2))
    client = request.getfixturevalue(who)
    assert client.post(add_url(maya), form_data()).status_code == 404
    assert client.post(cancel_url(maya, reminder)).status_code == 404
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.PENDING
    assert Reminder.objects.filter(kind="custom").count() == 1


def test_another_student_cannot_cancel_my_reminder_through_their_own_contact(
    other_student_client, other_student, student, maya
):
    reminder = custom_reminder_set(contact=maya, text="Mine", due_on=in_days(2))
    theirs = ContactFactory(owner=other_student, name="Their contact")
    assert other_student_client.post(cancel_url(theirs, reminder)).status_code == 404
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.PENDING


def test_anonymous_posts_go_to_login(client, maya):
    reminder = custom_reminder_set(contact=maya, text="Mine", due_on=in_days(2))
    for url in (add_url(maya), cancel_url(maya, reminder)):
        response = client.post(url, form_data())
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
    assert Reminder.objects.filter(kind="custom").count() == 1


def test_get_is_not_allowed(student_client, maya):
    reminder = custom_reminder_set(contact=maya, text="Mine", due_on=in_days(2))
    assert student_client.get(add_url(maya)).status_code == 405
    assert student_client.get(cancel_url(maya, reminder)).status_code == 405


def test_contact_page_query_count_does_not_grow_with_reminders(student_client, maya):
    def add_rows(n):
        for i in range(n):
            custom_reminder_set(contact=maya, text=f"Reminder {i}", due_on=in_days(i % 30))

    assert_queries_stable(lambda: student_client.get(detail_url(maya)), add_rows, small=5, large=50)
