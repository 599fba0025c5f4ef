"""Staff decide on a volunteer from the whole profile they wrote (issue 17): title,
organization, field, topics, LinkedIn, bio, capacity, on the volunteers page and the staff
home; and approve several pending volunteers at once, each through the one approval path."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from contacts.models import Organization
from networking_app.accounts.models import ApprovalStatus, VolunteerProfile
from networking_app.core.models import AuditLog
from tests.factories import VolunteerFactory
from tests.mentoring.factories import MentorFactory, TopicFactory
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db

APPROVE = reverse("console:volunteers_approve")
PENDING = f"{reverse('console:volunteers')}?status=pending"


def _pending(name: str, **mentor):
    user = VolunteerFactory(profile__display_name=name, volunteer_profile__status="pending")
    MentorFactory(user=user, **mentor)
    return user


def test_staff_see_the_whole_profile_before_deciding(staff_client):
    org = Organization.objects.create(name="Northwind <Analytics>")
    user = _pending(
        "Priya Shah",
        title="Director of Data",
        organization=org,
        industry="Technology",
        job_function="Data science",
        location="Boston",
        linkedin_url="https://www.linkedin.com/in/priya",
        bio="Twenty years in analytics.\n<script>alert(1)</script>",
        monthly_capacity=3,
    )
    user.mentor.topics.set([TopicFactory(name="Career switch")])
    _pending("Hal Http", linkedin_url="http://example.com/hal")
    for url in (reverse("console:volunteers"), reverse("staff:home")):
        html = staff_client.get(url).text
        assert "<dd>Director of Data at Northwind &lt;Analytics&gt;</dd>" in html
        assert "<dd>Technology · Data science</dd>" in html
        assert "<dd>Boston</dd>" in html
        assert '<span class="tag">Career switch</span>' in html
        assert (
            '<a href="https://www.linkedin.com/in/priya" rel="noopener noreferrer nofollow">'
            in html
        )
        assert "Twenty years in analytics.<br>&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<dt>Conversations a month</dt><dd>3</dd>" in html
        # A link that is not https is shown as text, never as a link.
        assert "<dd>http://example.com/hal</dd>" in html


def test_a_volunteer_without_a_mentor_profile_says_so(staff_client):
    VolunteerFactory(volunteer_profile__status="pending")
    assert "No mentor profile written yet" in staff_client.get(reverse("staff:home")).text


def test_bulk_approval_approves_the_ticked_pending_volunteers(
    staff_client, staff, django_capture_on_commit_callbacks
):
    first, second, untouched = _pending("Ana One"), _pending("Ben Two"), _pending("Cy Three")
    page = staff_client.get(PENDING).text
    assert 'form="bulk-approve"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            APPROVE, {"volunteer": [first.pk, second.pk], "note": "Welcome!"}, follow=True
        )
    assert "2 volunteers approved and told by email: Ana One, Ben Two." in response.text
    statuses = dict(VolunteerProfile.objects.values_list("user_id", "status"))
    assert statuses[first.pk] == statuses[second.pk] == ApprovalStatus.APPROVED
    assert statuses[untouched.pk] == ApprovalStatus.PENDING
    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.email, second.email])
    assert all("Welcome!" in m.body for m in mail.outbox)
    assert AuditLog.objects.filter(action="volunteer.approve", actor=staff).count() == 2


def test_one_already_decided_is_refused_alone(staff_client, volunteer):
    pending = _pending("Dee Four")
    response = staff_client.post(APPROVE, {"volunteer": [pending.pk, volunteer.pk]}, follow=True)
    assert "1 volunteer approved and told by email: Dee Four." in response.text
    assert "is approved: they cannot be approved." in response.text
    assert response.redirect_chain[-1][0] == PENDING


def test_nothing_ticked_or_junk_approves_nobody(staff_client):
    pending = _pending("Eve Five")
    for data in ({}, {"volunteer": ["x", "-1"]}):
        response = staff_client.post(APPROVE, data, follow=True)
        assert response.status_code == 200
    assert "Tick the volunteers to approve first." in response.text
    assert VolunteerProfile.objects.get(user=pending).status == ApprovalStatus.PENDING


def test_bulk_approval_wants_the_second_factor_again(staff):
    pending = _pending("Fay Six")
    client = Client()
    client.force_login(staff)  # signed in, but no authenticator code entered lately
    response = client.post(APPROVE, {"volunteer": [pending.pk]})
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]
    assert VolunteerProfile.objects.get(user=pending).status == ApprovalStatus.PENDING


def test_the_review_lists_cost_the_same_queries_with_topics(staff_client):
    def add(n):
        for i in range(n):
            user = _pending(f"Volunteer {i}", bio="Hello")
            user.mentor.topics.set([TopicFactory(name=f"Topic {i}")])

    assert_queries_stable(lambda: staff_client.get(PENDING), add)
    assert_queries_stable(lambda: staff_client.get(reverse("staff:home")), add)
