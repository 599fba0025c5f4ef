"""Adding a staff member with an address someone is adding at the same moment: the form's
check cannot see the other request's uncommitted row, so the unique email decides, and the
request that loses gets the form's error, never a 500 (issue 15, item 4)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from networking_app.accounts.forms import StaffCreateForm
from networking_app.accounts.models import Role, User
from networking_app.accounts.services import EMAIL_TAKEN, staff_user_create
from tests.conftest import confirm_second_factor
from tests.factories import StaffFactory

NEW = "new.colleague@example.edu"


@pytest.mark.django_db
def test_the_service_refuses_a_taken_address_with_a_form_error(staff):
    StaffFactory(email=NEW)
    with pytest.raises(ValidationError) as raised:
        staff_user_create(email=NEW, display_name="Nico", created_by=staff)
    assert raised.value.message_dict == {"email": [EMAIL_TAKEN]}
    assert User.objects.filter(email=NEW).count() == 1


@pytest.mark.django_db
def test_a_request_that_loses_the_race_shows_the_form_error(staff_client, monkeypatch):
    """Deterministic: the other request commits the same address after this one's form check
    and before its insert."""
    checked = StaffCreateForm.is_valid

    def check_then_lose_the_race(form):
        valid = checked(form)
        StaffFactory(email=NEW)
        return valid

    monkeypatch.setattr(StaffCreateForm, "is_valid", check_then_lose_the_race)
    response = staff_client.post(reverse("staff:team"), {"email": NEW, "display_name": "Nico"})
    assert response.status_code == 200
    assert EMAIL_TAKEN in response.content.decode()
    assert User.objects.filter(email=NEW).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_requests_at_once_for_one_address_add_one_colleague():
    """On real PostgreSQL, four staff sessions post the same new address at once (threads
    released together): one adds the colleague, the others get the form's error."""
    staff = StaffFactory(email="erin@example.edu")
    clients = []
    for _ in range(4):
        client = Client()
        client.force_login(staff)
        confirm_second_factor(client, staff)
        clients.append(client)
    barrier = threading.Barrier(len(clients))
    outcomes: list[object] = [None] * len(clients)

    def post(index: int, client: Client) -> None:
        try:
            barrier.wait(timeout=10)
            response = client.post(reverse("staff:team"), {"email": NEW, "display_name": "Nico"})
            outcomes[index] = (response.status_code, EMAIL_TAKEN in response.content.decode())
        except Exception as error:  # recorded, and the assertion below shows it
            outcomes[index] = repr(error)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=post, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a request hung"
    assert sorted(outcomes, key=repr) == sorted(
        [(302, False), (200, True), (200, True), (200, True)], key=repr
    ), outcomes
    assert User.objects.get(email=NEW).role == Role.STAFF
