"""A student takes their data with them, then closes their account, through the real pages.

Alice has a few contacts (one with a would-be formula and a comma in its organization). She
exports her contacts as CSV from the contacts list, downloads all her data as a ZIP from her
profile, then deletes her account with her password, sees the goodbye page and can no longer
sign in.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from contacts import services
from contacts.exports.contacts import CSV_HEADER
from contacts.models import Relationship
from networking_app.accounts.models import ErasedAccount, User
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def label(text: str) -> re.Pattern:
    return re.compile(rf"^\s*{re.escape(text)}:?\s*$")


def log_in(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.get_by_label(label("Email")).fill(email)
    page.get_by_label(label("Password")).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def downloaded(download, tmp_path: Path) -> bytes:
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    return target.read_bytes()


def test_student_downloads_their_data_then_deletes_their_account(
    live_server, page: Page, student, tmp_path
):
    services.contact_create(
        owner=student,
        name="Ada Lovelace",
        email="ada@example.com",
        organization_name="Analytical Engines, Ltd.",
        relationship=Relationship.PROFESSOR,
        tags=["math"],
    )
    services.contact_create(owner=student, name="=Formula Person", relationship=Relationship.OTHER)
    base = live_server.url
    log_in(page, base, student.email)

    # 1. Contacts list -> export page -> CSV download.
    page.goto(base + "/my/contacts/")
    page.get_by_role("link", name="Export contacts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export your contacts")
    expect(page.locator(".lede")).to_contain_text("2 contacts")
    screenshot(page, "data_export_contacts_1280")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download contacts (CSV)").click()
    download = info.value
    assert re.fullmatch(r"contacts-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    text = downloaded(download, tmp_path).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:], newline="")))
    assert rows[0] == CSV_HEADER
    assert [r[0] for r in rows[1:]] == ["'=Formula Person", "Ada Lovelace"]
    assert rows[2][3] == "Analytical Engines, Ltd."

    # 2. Profile -> "Your data" -> the ZIP.
    page.goto(base + "/profile/")
    expect(page.get_by_role("heading", name="Your data")).to_be_visible()
    screenshot(page, "data_export_profile_1280")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download my data").click()
    archive = zipfile.ZipFile(io.BytesIO(downloaded(info.value, tmp_path)))
    assert {"README.txt", "profile.json", "contacts.json", "contacts.csv", "calendar.ics"} <= set(
        archive.namelist()
    )
    assert "Ada Lovelace" in archive.read("contacts.json").decode()

    # 3. Delete the account.
    page.get_by_role("link", name="Your data and account deletion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data")
    screenshot(page, "data_export_data_page_1280")
    page.get_by_role("link", name="Delete my account…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete your account")
    expect(page.get_by_role("heading", name="What is kept")).to_be_visible()
    page.get_by_label(label("Your password")).fill("not my password")
    page.get_by_role("button", name="Delete my account and my data").click()
    expect(page.get_by_text("That is not your password.")).to_be_visible()
    assert User.objects.filter(pk=student.pk).exists()
    screenshot(page, "data_export_delete_error_1280")
    page.get_by_label(label("Your password")).fill(PASSWORD)
    page.get_by_role("button", name="Delete my account and my data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is deleted")
    screenshot(page, "data_export_deleted_1280")
    assert not User.objects.filter(email=student.email).exists()
    assert ErasedAccount.objects.get().contacts == 2

    # 4. Signed out, and the old password no longer opens anything.
    page.goto(base + "/my/contacts/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    log_in(page, base, "alice@example.edu")
    expect(
        page.get_by_text("The email address and/or password you specified are not correct.")
    ).to_be_visible()
