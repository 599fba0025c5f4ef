import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from networking_app.accounts.models import ApprovalStatus, Role, User
from tests.factories import StaffFactory, VolunteerFactory
from tests.querycount import assert_queries_stable


@pytest.mark.django_db
def test_anonymous_home_goes_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")


def test_student_home_shows_their_profile(student_client, student):
    response = student_client.get("/")
    assert "Welcome, Alice Student" in response.text
    assert "2027" in response.text
    # Navigation for students: no staff links.
    assert reverse("staff:home") not in response.text


def test_volunteer_home_shows_approval_status(client, pending_volunteer, volunteer):
    client.force_login(pending_volunteer)
    assert "awaiting approval" in client.get("/").text
    client.force_login(volunteer)
    assert "Your volunteer account is approved" in client.get("/").text


def test_staff_home_lists_pending_volunteers(staff_client, pending_volunteer, volunteer):
    response = staff_client.get(reverse("staff:home"))
    assert response.status_code == 200
    assert "Dana Pending" in response.text
    assert "Carol Volunteer" not in response.text  # already approved
    assert "No background worker has checked in yet" in response.text


def test_staff_home_shows_the_worker_heartbeat(staff_client):
    from networking_app.tasks import heartbeat

    heartbeat.apply()
    response = staff_client.get(reverse("staff:home"))
    assert "The scheduler and a worker last checked in" in response.text


def test_staff_approves_a_volunteer_who_is_told_by_email(
    staff_client, staff, pending_volunteer, django_capture_on_commit_callbacks
):
    url = reverse("staff:volunteer_review", args=[pending_volunteer.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, {"decision": "approve", "note": ""}, follow=True)
    assert "Dana Pending is approved" in response.text
    profile = pending_volunteer.volunteer_profile
    profile.refresh_from_db()
    assert profile.status == ApprovalStatus.APPROVED
    assert profile.reviewed_by == staff
    assert profile.reviewed_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [pending_volunteer.email]
    assert "approved" in message.subject
    assert message.alternatives
    assert message.alternatives[0][1] == "text/html"


def test_staff_turns_down_a_volunteer_with_a_note(
    staff_client, pending_volunteer, django_capture_on_commit_callbacks
):
    url = reverse("staff:volunteer_review", args=[pending_volunteer.pk])
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, {"decision": "reject", "note": "We could not verify you."})
    pending_volunteer.volunteer_profile.refresh_from_db()
    assert pending_volunteer.volunteer_profile.status == ApprovalStatus.REJECTED
    assert "We could not verify you." in mail.outbox[0].body


def test_review_with_a_bad_decision_changes_nothing(staff_client, pending_volunteer):
    url = reverse("staff:volunteer_review", args=[pending_volunteer.pk])
    response = staff_client.post(url, {"decision": "maybe"}, follow=True)
    assert "Choose whether to approve or turn down" in response.text
    pending_volunteer.volunteer_profile.refresh_from_db()
    assert pending_volunteer.volunteer_profile.status == ApprovalStatus.PENDING


def test_review_of_someone_who_is_not_a_volunteer_is_404(staff_client, student):
    url = reverse("staff:volunteer_review", args=[student.pk])
    assert staff_client.post(url, {"decision": "approve"}).status_code == 404


@pytest.mark.parametrize("who", ["student_client", "volunteer_client"])
def test_other_roles_cannot_review_volunteers(request, who, pending_volunteer):
    client = request.getfixturevalue(who)
    url = reverse("staff:volunteer_review", args=[pending_volunteer.pk])
    assert client.post(url, {"decision": "approve"}).status_code == 403
    pending_volunteer.volunteer_profile.refresh_from_db()
    assert pending_volunteer.volunteer_profile.status == ApprovalStatus.PENDING


@pytest.mark.django_db
def test_staff_without_mfa_are_sent_to_set_it_up(client):
    staff = StaffFactory(mfa=False)
    client.force_login(staff)
    response = client.get(reverse("staff:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


@pytest.mark.django_db
def test_admin_needs_mfa_too(client):
    staff = StaffFactory(mfa=False)
    client.force_login(staff)
    response = client.get("/admin/", follow=True)
    hops = [url for url, _status in response.redirect_chain]
    assert any(url.startswith(reverse("mfa_activate_totp")) for url in hops), hops


def test_admin_login_refuses_other_roles(student_client):
    response = student_client.get("/admin/", follow=True)
    assert response.status_code == 403


@pytest.mark.django_db
def test_admin_login_is_allauths(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    login = client.get(response["Location"])
    assert login.status_code == 302
    assert login["Location"].startswith(reverse("account_login"))


def test_staff_adds_a_colleague_who_gets_a_password_email(staff_client):
    response = staff_client.post(
        reverse("staff:team"), {"email": "New.Colleague@Example.edu", "display_name": "Nico"}
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.colleague@example.edu")
    assert user.role == Role.STAFF
    assert user.is_staff
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.colleague@example.edu"]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_staff_cannot_add_an_existing_address(staff_client, student):
    response = staff_client.post(
        reverse("staff:team"), {"email": student.email.upper(), "display_name": "X"}
    )
    assert response.status_code == 200
    assert "Someone already has an account with this address." in response.text
    assert User.objects.get(email=student.email).role == Role.STUDENT


def test_profile_edit_saves_name_time_zone_and_student_fields(student_client, student):
    response = student_client.post(
        reverse("profile"),
        {
            "display_name": "Alice S.",
            "time_zone": "Asia/Tokyo",
            "role-class_year": "2026",
            "role-major": "History",
        },
        follow=True,
    )
    assert "Your profile is saved." in response.text
    student.refresh_from_db()
    assert student.profile.display_name == "Alice S."
    assert student.profile.time_zone == "Asia/Tokyo"
    assert student.student_profile.major == "History"


def test_profile_edit_with_bad_input_keeps_what_was_typed(student_client, student):
    response = student_client.post(
        reverse("profile"),
        {"display_name": "", "time_zone": "Nowhere/Land", "role-major": "Keep me"},
    )
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert "Select a valid choice" in response.text
    assert 'value="Keep me"' in response.text
    student.refresh_from_db()
    assert student.profile.display_name == "Alice Student"


def test_dates_are_shown_in_the_users_time_zone(staff_client, staff):
    import datetime

    staff.profile.time_zone = "Asia/Tokyo"
    staff.profile.save()
    staff.date_joined = datetime.datetime(2026, 1, 1, 20, 0, tzinfo=datetime.UTC)
    staff.save()
    response = staff_client.get(reverse("staff:team"))
    # 20:00 UTC on 1 January is already 2 January in Tokyo.
    assert "Fri 2 Jan 2026" in response.text


# --- Query counts ------------------------------------------------------------------------


def test_staff_home_queries_do_not_grow_with_pending_volunteers(staff_client):
    assert_queries_stable(
        lambda: staff_client.get(reverse("staff:home")),
        lambda n: VolunteerFactory.create_batch(n, volunteer_profile__status="pending"),
    )


def test_staff_team_queries_do_not_grow_with_staff(staff_client):
    assert_queries_stable(
        lambda: staff_client.get(reverse("staff:team")),
        lambda n: StaffFactory.create_batch(n),
    )
