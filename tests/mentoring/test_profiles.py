"""A volunteer's mentor profile: saving and validating it, what the directory may search, when
the volunteer is bookable, and the volunteer's home page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from contacts.models import Organization
from mentoring.models import Mentor, Mode, Topic
from mentoring.services import profiles as services
from networking_app.accounts.models import Affiliation, ApprovalStatus
from networking_app.console.services import volunteer_decide
from tests.contacts.factories import OrganizationFactory
from tests.factories import StudentFactory, VolunteerFactory
from tests.mentoring.factories import AvailabilityWindowFactory, MentorFactory, TopicFactory
from tests.mentoring.helpers import bookable_mentor

pytestmark = pytest.mark.django_db

PROFILE = reverse("mentoring:volunteer_profile")
SEEDED_TOPICS = {
    "industry-insight",
    "career-switch",
    "resume-review",
    "interview-practice",
    "graduate-school",
    "job-search-strategy",
    "networking-tips",
    "entrepreneurship",
}


def save(user, **overrides) -> Mentor:
    values = {
        "affiliation": Affiliation.ALUMNI,
        "class_year": 2012,
        "organization_name": "  Northwind   Traders ",
        "title": "Data Engineer",
        "industry": "Logistics",
        "job_function": "Engineering",
        "location": "Chicago",
        "major": "Physics",
        "bio": "Ask me about switching from research to industry.",
        "topics": list(Topic.objects.filter(slug__in=["career-switch", "resume-review"])),
        "modes": [Mode.VIDEO],
        "linkedin_url": "https://www.linkedin.com/in/carol",
        "code_of_conduct": True,
        "listed": True,
        "hidden_fields": [],
        "on_leave_until": None,
    }
    values.update(overrides)
    return services.mentor_save(user=user, **values)


def form_data(**overrides) -> dict:
    data = {
        "affiliation": Affiliation.PARENT,
        "class_year": "",
        "organization_name": "Globex",
        "title": "Head of Design",
        "industry": "Software",
        "job_function": "Design",
        "location": "Remote",
        "major": "",
        "bio": "Design careers.",
        "topics": [str(Topic.objects.get(slug="interview-practice").pk)],
        "modes": [Mode.PHONE, Mode.IN_PERSON],
        "linkedin_url": "linkedin.com/in/carol",
        "hidden_fields": ["location"],
        "code_of_conduct": "on",
        "listed": "on",
        "on_leave_until": "",
    }
    data.update(overrides)
    return data


def test_topics_are_seeded():
    assert set(Topic.objects.values_list("slug", flat=True)) >= SEEDED_TOPICS


# --- mentor_save ---------------------------------------------------------------------------


def test_save_creates_the_profile_and_keeps_derived_fields(volunteer):
    before = timezone.now()
    mentor = save(volunteer)

    mentor.refresh_from_db()
    assert mentor.organization == Organization.objects.get(normalized_name="northwind traders")
    assert mentor.organization.name == "Northwind Traders"
    assert before <= mentor.code_of_conduct_accepted_at <= timezone.now()
    assert mentor.is_bookable
    for word in ["Carol Volunteer", "Northwind Traders", "Data Engineer", "Logistics",
                 "Engineering", "Chicago", "Physics", "Career switch", "Resume review",
                 "research to industry"]:  # fmt: skip
        assert word in mentor.search_text
    assert mentor.search_names == "Carol Volunteer Northwind Traders"
    assert mentor.modes == [Mode.VIDEO]
    volunteer.volunteer_profile.refresh_from_db()
    assert volunteer.volunteer_profile.class_year == 2012


def test_the_same_organization_typed_differently_is_one(volunteer):
    OrganizationFactory(name="Northwind Traders")
    save(volunteer, organization_name="NORTHWIND traders")
    assert Organization.objects.filter(normalized_name="northwind traders").count() == 1


def test_hidden_fields_are_not_searchable(volunteer):
    mentor = save(volunteer, hidden_fields=["title", "location", "bio"])
    assert mentor.hidden_fields == ["title", "location", "bio"]
    assert "Data Engineer" not in mentor.search_text
    assert "Chicago" not in mentor.search_text
    assert "research" not in mentor.search_text
    assert "Logistics" in mentor.search_text


def test_code_of_conduct_time_is_kept_on_resave_and_cleared_when_withdrawn(volunteer):
    first = save(volunteer).code_of_conduct_accepted_at
    assert save(volunteer, title="Staff Engineer").code_of_conduct_accepted_at == first
    withdrawn = save(volunteer, code_of_conduct=False, listed=False)
    assert withdrawn.code_of_conduct_accepted_at is None
    assert not withdrawn.is_bookable


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"linkedin_url": "https://www.linkedln.com/in/carol"}, "linkedin_url"),
        ({"linkedin_url": "https://evil.example/linkedin.com"}, "linkedin_url"),
        ({"code_of_conduct": False, "listed": True}, "listed"),
        ({"modes": ["carrier pigeon"]}, "modes"),
        ({"hidden_fields": ["email"]}, "hidden_fields"),
        ({"affiliation": "cousin"}, "affiliation"),
    ],
)
def test_save_refuses_invalid_values(volunteer, overrides, field):
    with pytest.raises(ValidationError) as error:
        save(volunteer, **overrides)
    assert field in error.value.error_dict
    assert not Mentor.objects.filter(user=volunteer).exists()


def test_linkedin_subdomains_are_accepted(volunteer):
    mentor = save(volunteer, linkedin_url="https://uk.linkedin.com/in/carol")
    assert mentor.linkedin_url == "https://uk.linkedin.com/in/carol"


def test_students_have_no_mentor_profile(student):
    with pytest.raises(ValidationError):
        services.mentor_get_or_create(user=student)


# --- Bookable ------------------------------------------------------------------------------


def test_bookable_needs_approval_consent_listing_and_no_leave(volunteer, pending_volunteer):
    assert save(volunteer).is_bookable
    assert not save(pending_volunteer).is_bookable
    assert not save(volunteer, listed=False).is_bookable
    assert not save(volunteer, code_of_conduct=False, listed=False).is_bookable
    today = timezone.localdate()
    assert not save(volunteer, on_leave_until=today).is_bookable
    assert not save(volunteer, on_leave_until=today + dt.timedelta(days=9)).is_bookable
    assert save(volunteer, on_leave_until=today - dt.timedelta(days=1)).is_bookable


def test_leave_is_judged_in_the_volunteers_own_zone():
    # 23:30 in Honolulu on the 10th is already the 11th in UTC: a leave until the 10th has not
    # ended there yet.
    volunteer = VolunteerFactory(profile__time_zone="Pacific/Honolulu")
    mentor = MentorFactory(user=volunteer)
    now = dt.datetime(2026, 3, 11, 9, 30, tzinfo=dt.UTC)
    Mentor.objects.filter(pk=mentor.pk).update(on_leave_until=dt.date(2026, 3, 10))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: now)
        assert services.mentor_refresh_bookable(user=volunteer).is_bookable is False


def test_an_inactive_account_is_not_bookable(volunteer):
    save(volunteer)
    volunteer.is_active = False
    volunteer.save(update_fields=["is_active"])
    assert services.mentor_refresh_bookable(user=volunteer).is_bookable is False


def test_approval_and_rejection_by_staff_update_bookable(pending_volunteer, staff):
    mentor = save(pending_volunteer)
    assert not mentor.is_bookable

    volunteer_decide(profile=pending_volunteer.volunteer_profile, staff=staff, decision="approve")
    mentor.refresh_from_db()
    assert mentor.is_bookable

    # Approved, then paused by staff (an approval cannot be turned down afterwards).
    volunteer_decide(profile=pending_volunteer.volunteer_profile, staff=staff, decision="pause")
    mentor.refresh_from_db()
    assert not mentor.is_bookable


def test_a_volunteer_turned_down_is_not_bookable(pending_volunteer, staff):
    mentor = save(pending_volunteer)
    volunteer_decide(profile=pending_volunteer.volunteer_profile, staff=staff, decision="reject")
    mentor.refresh_from_db()
    assert not mentor.is_bookable


def test_review_of_a_volunteer_without_mentor_profile_still_works(pending_volunteer, staff):
    volunteer_decide(profile=pending_volunteer.volunteer_profile, staff=staff, decision="approve")
    pending_volunteer.volunteer_profile.refresh_from_db()
    assert pending_volunteer.volunteer_profile.status == ApprovalStatus.APPROVED
    assert not Mentor.objects.filter(user=pending_volunteer).exists()


def test_display_name_change_is_searchable_after_refresh(volunteer):
    save(volunteer)
    volunteer.profile.display_name = "Caroline Mentor"
    volunteer.profile.save()
    mentor = services.mentor_refresh_bookable(user=volunteer)
    assert mentor.search_names.startswith("Caroline Mentor")
    assert "Caroline Mentor" in Mentor.objects.get(pk=mentor.pk).search_text


def test_ended_leaves_make_volunteers_bookable_again(volunteer):
    today = timezone.localdate()
    mentor = save(volunteer, on_leave_until=today + dt.timedelta(days=2))
    still_away = MentorFactory()
    Mentor.objects.filter(pk=still_away.pk).update(
        on_leave_until=today + dt.timedelta(days=30), is_bookable=False
    )
    assert not mentor.is_bookable

    assert services.mentors_refresh_ended_leaves(now=timezone.now() + dt.timedelta(days=3)) == 1
    mentor.refresh_from_db()
    still_away.refresh_from_db()
    assert mentor.is_bookable
    assert not still_away.is_bookable


def test_factory_mentors_are_bookable_and_searchable():
    mentor = MentorFactory(hidden_fields=["bio"])
    assert mentor.is_bookable
    assert mentor.title in mentor.search_text
    assert mentor.bio not in mentor.search_text
    assert not MentorFactory(listed=False).is_bookable
    assert not MentorFactory(user__volunteer_profile__status="pending").is_bookable


# --- The profile page ----------------------------------------------------------------------


def test_profile_page_before_the_first_save_writes_nothing(volunteer_client, volunteer):
    response = volunteer_client.get(PROFILE)
    assert response.status_code == 200
    assert not Mentor.objects.filter(user=volunteer).exists()
    html = response.content.decode()
    assert "Your mentor profile" in html
    assert 'name="hidden_fields" value="linkedin_url"' in html
    assert "Interview practice" in html  # topic checkboxes come from the seeded topics


def test_profile_page_saves(volunteer_client, volunteer):
    response = volunteer_client.post(PROFILE, form_data())

    assert response.status_code == 302
    assert response["Location"] == PROFILE
    mentor = Mentor.objects.get(user=volunteer)
    assert mentor.organization.name == "Globex"
    assert mentor.linkedin_url == "https://linkedin.com/in/carol"
    assert mentor.hidden_fields == ["location"]
    assert mentor.modes == [Mode.PHONE, Mode.IN_PERSON]
    assert [t.slug for t in mentor.topics.all()] == ["interview-practice"]
    assert mentor.is_bookable
    volunteer.volunteer_profile.refresh_from_db()
    assert volunteer.volunteer_profile.affiliation == Affiliation.PARENT
    assert volunteer.volunteer_profile.class_year is None

    page = volunteer_client.get(PROFILE)
    assert "Students can find you" in page.content.decode()
    assert page.context["form"].initial["organization_name"] == "Globex"
    assert page.context["form"].initial["code_of_conduct"] is True


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"linkedin_url": "https://example.com/carol"}, "linkedin_url", "LinkedIn profile"),
        ({"code_of_conduct": ""}, "listed", "Accept the code of conduct"),
        ({"on_leave_until": "2001-01-01"}, "on_leave_until", "today or a later date"),
        ({"affiliation": ""}, "affiliation", "connection to the school"),
        ({"class_year": "1700"}, "class_year", "greater than or equal to 1900"),
    ],
)
def test_profile_page_shows_errors(volunteer_client, volunteer, overrides, field, message):
    response = volunteer_client.post(PROFILE, form_data(**overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert "field-invalid" in response.content.decode()
    assert not Mentor.objects.filter(user=volunteer).exists()


def test_an_ended_leave_is_not_shown_on_the_form(volunteer_client, volunteer):
    mentor = MentorFactory(user=volunteer)
    Mentor.objects.filter(pk=mentor.pk).update(on_leave_until=dt.date(2020, 1, 1))
    response = volunteer_client.get(PROFILE)
    assert response.context["form"].initial["on_leave_until"] is None


@pytest.mark.parametrize("who", ["student_client", "staff_client"])
def test_profile_page_is_for_volunteers_only(request, who):
    client = request.getfixturevalue(who)
    assert client.get(PROFILE).status_code == 403
    assert client.post(PROFILE, {}).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.post(PROFILE, {})
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


# --- Home ----------------------------------------------------------------------------------


def test_volunteer_home_shows_completeness_and_listing(volunteer_client, volunteer):
    html = volunteer_client.get(reverse("home")).content.decode()
    assert "Your volunteer account is approved" in html
    assert "Profile 0% complete" in html
    assert "Not listed" in html
    assert "you have not accepted the code of conduct" in html
    assert reverse("mentoring:availability") in html
    assert reverse("mentoring:volunteer_profile") in html

    mentor = MentorFactory(user=volunteer, topics=[TopicFactory(slug="resume-review")])
    AvailabilityWindowFactory(mentor=mentor)
    html = volunteer_client.get(reverse("home")).content.decode()
    assert "Profile 100% complete" in html
    assert "Students can find you" in html


def test_pending_volunteer_home_keeps_the_approval_message(pending_volunteer):
    from django.test import Client

    client = Client()
    client.force_login(pending_volunteer)
    MentorFactory(user=pending_volunteer)
    html = client.get(reverse("home")).content.decode()
    assert "awaiting approval" in html
    assert "the career office has not approved your account yet" in html
    assert "On leave" in html


def test_volunteer_nav_links(volunteer_client):
    html = volunteer_client.get(reverse("home")).content.decode()
    assert f'href="{PROFILE}"' in html
    assert f'href="{reverse("mentoring:availability")}"' in html
    assert reverse("mentoring:directory") not in html


def test_student_nav_has_the_directory():
    from django.test import Client

    client = Client()
    client.force_login(StudentFactory())
    html = client.get(reverse("contacts:list")).content.decode()
    assert f'href="{reverse("mentoring:directory")}"' in html
    assert PROFILE not in html


# --- The card preview (issue 17) -------------------------------------------------------------


def test_the_volunteer_sees_their_card_as_students_do_with_hidden_fields_left_out(
    volunteer, volunteer_client
):
    mentor = bookable_mentor(volunteer, organization="Northwind <Analytics>")
    Mentor.objects.filter(pk=mentor.pk).update(
        title="Director", location="Boston", hidden_fields=["location"]
    )
    html = volunteer_client.get(reverse("mentoring:volunteer_profile")).content.decode()
    preview = html[html.index('id="card-preview"') :].split("</section>")[0]
    assert "Your card as students see it" in preview
    assert '<h3 class="mentor-name">' in preview
    assert "Director at Northwind &lt;Analytics&gt;" in preview
    assert "Boston" not in preview  # hidden from students, so from the preview too
    assert "Next open time:" in preview
    # The card's page is for students: the preview's name is not a link to it.
    assert reverse("mentoring:mentor", kwargs={"mentor_id": mentor.pk}) not in preview
    assert "Ask for this time" not in preview  # nobody asks themselves


def test_no_preview_before_a_profile_and_a_note_until_listed(volunteer, volunteer_client):
    html = volunteer_client.get(reverse("mentoring:volunteer_profile")).content.decode()
    assert "card-preview" not in html
    MentorFactory(user=volunteer, listed=False)
    html = volunteer_client.get(reverse("mentoring:volunteer_profile")).content.decode()
    assert "Students will see this once you are listed." in html
