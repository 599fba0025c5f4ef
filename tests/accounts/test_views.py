import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from networking_app.accounts.models import Role, User
from tests.factories import StaffFactory, VolunteerFactory
from tests.querycount import assert_queries_stable


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
