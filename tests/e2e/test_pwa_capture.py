"""Capture at events (issue 19), in Chromium on a phone-sized screen: "People I met" as an
installable app that works offline.

A student opens the page, its service worker becomes active and keeps a copy of the page; the
phone goes offline; two people are added and listed as waiting; the page is reloaded offline
(the kept copy: the same nonce as the copy in Cache Storage, nothing reached the server) and
still lists them. Back online, the first answer of the sync is lost on the way (the server
saved both, the phone did not hear it): the entries stay queued, and the next sync hears that
both keys are saved, so each person is a contact once. Another sync adds nobody.

Scanning: Chromium's fake camera plays a .y4m of a vCard's QR code (tests/e2e/fake_camera.py)
and the form is filled from it. The parser itself (static/js/contact_card.js) is checked in
the page against vCards 2.1 to 4.0, MECARDs and LinkedIn addresses.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from contacts.met.models import MetReceipt
from contacts.models import Contact, Source
from events.models import MetAtEvent
from tests.conftest import CHROMIUM
from tests.e2e.conftest import CHROMIUM_ARGS, DEFAULT_TIMEOUT_MS, log_in_as, screenshot
from tests.e2e.fake_camera import fake_camera_args, write_qr_y4m
from tests.e2e.helpers import PHONE_VIEWPORT, assert_no_horizontal_scroll, label
from tests.events.factories import EventFactory, RSVPFactory

pytestmark = pytest.mark.browser

SERIOUS = {"serious", "critical"}


def _serious(page: Page) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in SERIOUS
    ]


def _context(browser, request):
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="en-US")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    request.addfinalizer(context.close)
    return context


@pytest.fixture
def phone(chromium_browser, request):
    page = _context(chromium_browser, request).new_page()
    yield page
    if getattr(getattr(request.node, "rep_call", None), "failed", False):
        screenshot(page, request.node.name)


@pytest.fixture
def mixer(student):
    """An event the student is going to, happening now."""
    starts = timezone.now() - dt.timedelta(minutes=30)
    event = EventFactory(
        title="Data careers mixer", starts_at=starts, ends_at=starts + dt.timedelta(hours=2)
    )
    RSVPFactory(event=event, user=student)
    return event


def _add(page: Page, name: str, organization: str, email: str, event) -> None:
    page.get_by_label(label("Name")).fill(name)
    page.get_by_label(label("Organization")).fill(organization)
    page.get_by_label(label("Email address")).fill(email)
    where = page.get_by_label(label("Where you met"))
    expect(where.locator("option:checked")).to_have_text("Not at one of your events")
    where.select_option(value=str(event.pk))
    page.get_by_role("button", name="Add to my contacts").click()
    # Added to the queue: the form is empty again, ready for the next person.
    expect(page.get_by_label(label("Name"))).to_have_value("")


def _kept_copy_nonce(page: Page) -> str:
    """The CSP nonce of the copy of the page the service worker keeps in Cache Storage."""
    html = page.evaluate(
        """async () => {
            for (const name of await caches.keys()) {
                const kept = await (await caches.open(name)).match("/my/met/");
                if (kept) return await kept.text();
            }
            return "";
        }"""
    )
    match = re.search(r'<script[^>]* nonce="([^"]+)"', html)
    assert match, "no copy of the page in Cache Storage"
    return match.group(1)


def test_two_people_added_offline_are_synced_once(live_server, phone: Page, student, mixer):
    base = live_server.url
    log_in_as(phone, base, student)
    errors: list[str] = []
    phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    # A cache an older version of the worker left behind.
    phone.goto(f"{base}/my/contacts/")
    phone.evaluate(
        "caches.open('rapport-met-0ld').then(c => c.put('/my/met/', new Response('old')))"
    )
    phone.goto(f"{base}/my/met/")
    expect(phone.get_by_role("heading", name="People I met", level=1)).to_be_visible()

    # The service worker is active and has kept its copy of the page, in its own cache.
    scope = phone.evaluate("navigator.serviceWorker.ready.then(r => r.active && r.scope)")
    assert scope == f"{base}/my/met/"
    expect(phone.locator("#met")).to_have_attribute("data-offline-ready", "true")
    version = re.search(r'var VERSION = "(\w+)";', phone.request.get(f"{base}/sw.js").text())
    assert phone.evaluate("caches.keys()") == [f"rapport-met-{version.group(1)}"]
    expect(phone.locator("#met-connection")).to_have_text(
        "This page now opens on this phone even without a connection."
    )
    expect(phone.locator("#met-recent")).to_contain_text("Nobody yet")
    assert errors == [], errors

    phone.context.set_offline(True)
    expect(phone.locator("#met-connection")).to_have_text(
        "You are offline: you can still add people."
    )
    _add(phone, "Ada Lovelace", "Analytical Engines", "ada@engines.example", mixer)
    _add(phone, "Grace Hopper", "Navy Research", "grace@navy.example", mixer)
    queue = phone.locator("#met-queue-list > li")
    expect(queue).to_have_count(2)
    expect(queue.nth(0)).to_contain_text("Ada Lovelace · Analytical Engines Waiting to be sent")
    expect(queue.nth(1)).to_contain_text("Grace Hopper · Navy Research Waiting to be sent")
    expect(phone.locator("#met-queue-status")).to_contain_text(
        "2 people are waiting to be sent. They are sent as soon as this phone is back online."
    )
    assert Contact.objects.filter(owner=student).count() == 0

    # Reloaded offline, the page is the kept copy (its nonce), and the queue is still there.
    reached_server: list[str] = []
    phone.on("request", lambda r: reached_server.append(r.url) if "/my/met" in r.url else None)
    kept_nonce = _kept_copy_nonce(phone)
    phone.reload()
    expect(phone.get_by_role("heading", name="People I met", level=1)).to_be_visible()
    assert phone.evaluate("document.querySelector('script[nonce]').nonce") == kept_nonce
    expect(queue).to_have_count(2)
    expect(queue.nth(0)).to_contain_text("Waiting to be sent")
    expect(phone.locator("#met-connection")).to_have_text(
        "You are offline: you can still add people."
    )
    assert_no_horizontal_scroll(phone)
    screenshot(phone, "pwa_capture_offline_390")
    assert Contact.objects.filter(owner=student).count() == 0

    # Back online, the answer to the first sync is lost on the way: the server saved both,
    # the phone heard nothing and keeps them.
    lost: list[int] = []

    def lose_the_answer(route):
        if route.request.method != "POST":
            return route.continue_()
        route.fetch()  # the server gets it and saves both
        lost.append(1)
        return route.abort()

    phone.route("**/my/met/sync/", lose_the_answer)
    phone.context.set_offline(False)
    expect(phone.locator("#met-queue-status")).to_contain_text(
        "They could not be sent just now.", timeout=15_000
    )
    assert lost == [1]
    assert Contact.objects.filter(owner=student).count() == 2
    expect(queue).to_have_count(2)

    # The next sync sends the same keys: the server answers that both are saved.
    phone.unroute("**/my/met/sync/")
    errors.clear()  # the requests that failed offline, and the answer lost on purpose
    phone.get_by_role("button", name="Send now").click()
    expect(phone.locator("#met-queue")).to_be_hidden()
    expect(phone.locator("#met-added")).to_have_text("Sent: 2 people added to your contacts.")
    recent = phone.locator("#met-recent li")
    expect(recent).to_have_count(2)
    expect(recent.filter(has_text="Ada Lovelace")).to_have_count(1)
    expect(recent.filter(has_text="Grace Hopper")).to_have_count(1)
    expect(recent.first).to_contain_text("Data careers mixer")

    # One more sync (the phone coming online again, then a reload): still two people.
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    phone.reload()
    expect(phone.locator("#met-recent li")).to_have_count(2)
    expect(phone.locator("#met-queue")).to_be_hidden()
    contacts = Contact.objects.filter(owner=student)
    assert sorted(contacts.values_list("name", flat=True)) == ["Ada Lovelace", "Grace Hopper"]
    assert set(contacts.values_list("source", flat=True)) == {Source.EVENT}
    ada = contacts.get(name="Ada Lovelace")
    assert ada.email == "ada@engines.example"
    assert ada.organization.name == "Analytical Engines"
    assert ada.how_met.startswith("Data careers mixer, ")
    assert MetAtEvent.objects.filter(event=mixer, contact__owner=student).count() == 2
    assert MetReceipt.objects.filter(owner=student).count() == 2

    assert_no_horizontal_scroll(phone)
    screenshot(phone, "pwa_capture_synced_390")
    assert _serious(phone) == []
    assert errors == [], errors

    # The rest of the site never goes through the worker, and offline it is simply offline.
    phone.goto(f"{base}/my/contacts/")
    assert phone.evaluate("navigator.serviceWorker.controller") is None
    phone.context.set_offline(True)
    with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
        phone.goto(f"{base}/my/contacts/")


def test_an_entry_the_server_refuses_stays_with_its_reason(live_server, phone: Page, student):
    """Nothing is lost: an entry that does not validate on the server (a LinkedIn field that
    is not LinkedIn) stays on the phone with the server's reason until it is corrected."""
    base = live_server.url
    log_in_as(phone, base, student)
    phone.goto(f"{base}/my/met/")
    expect(phone.locator("#met")).to_have_attribute("data-offline-ready", "true")
    phone.get_by_label(label("Name")).fill("Alan Turing")
    phone.get_by_label(label("LinkedIn profile")).fill("https://example.com/alan")
    phone.get_by_role("button", name="Add to my contacts").click()
    entry = phone.locator("#met-queue-list > li")
    expect(entry).to_contain_text("Alan Turing Not saved")
    expect(entry).to_contain_text("LinkedIn profile: This is not a LinkedIn address.")
    expect(phone.locator("#met-added")).to_be_hidden()
    expect(phone.get_by_role("button", name="Send now")).to_be_hidden()
    assert Contact.objects.filter(owner=student).count() == 0
    assert_no_horizontal_scroll(phone)
    screenshot(phone, "pwa_capture_refused_390")

    entry.get_by_role("button", name="Edit: Alan Turing").click()
    expect(phone.get_by_label(label("Name"))).to_have_value("Alan Turing")
    phone.get_by_label(label("LinkedIn profile")).fill("https://www.linkedin.com/in/alan-turing")
    phone.get_by_role("button", name="Add to my contacts").click()
    expect(phone.locator("#met-queue")).to_be_hidden()
    expect(phone.locator("#met-recent li")).to_have_count(1)
    alan = Contact.objects.get(owner=student)
    assert alan.linkedin_url == "https://www.linkedin.com/in/alan-turing"
    assert MetReceipt.objects.get(owner=student).contact == alan


# --- Scan a card ------------------------------------------------------------------------------

VCARD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Hopper;Grace;;Rear Admiral;\r\nFN:Grace Hopper\r\n"
    "ORG:Navy Research;Computing\r\nTITLE:Computer scientist\r\n"
    "EMAIL;TYPE=INTERNET:grace@navy.example\r\nTEL;TYPE=CELL:+1 555 0100\r\n"
    "URL:https://www.linkedin.com/in/grace-hopper?trk=qr\r\nEND:VCARD"
)


@pytest.fixture(scope="module")
def camera_feed(tmp_path_factory):
    return tmp_path_factory.mktemp("camera") / "card.y4m"


@pytest.fixture(scope="module")
def camera_browser(chromium_browser, camera_feed):
    """A second Chromium whose camera plays the file above (written before the camera starts)."""
    browser = chromium_browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[*CHROMIUM_ARGS, *fake_camera_args(camera_feed)],
    )
    yield browser
    browser.close()


def test_scanning_a_vcard_fills_the_form(
    live_server, camera_browser, camera_feed, request, student
):
    write_qr_y4m(camera_feed, VCARD)
    phone = _context(camera_browser, request).new_page()
    base = live_server.url
    log_in_as(phone, base, student)
    phone.goto(f"{base}/my/met/")
    scan = phone.locator("#met-scan")
    expect(scan).to_be_visible()
    phone.get_by_role("button", name="Scan a card").click()
    expect(phone.get_by_label(label("Name"))).to_have_value("Grace Hopper", timeout=20_000)
    expect(phone.locator("#met-scan-status")).to_have_text(
        "Filled in from their code: check the fields, then add them."
    )
    expect(phone.locator("#met-scan-video")).to_be_hidden()
    expect(phone.get_by_role("button", name="Scan a card")).to_be_visible()
    expect(phone.get_by_label(label("Organization"))).to_have_value("Navy Research")
    expect(phone.get_by_label(label("Job title"))).to_have_value("Computer scientist")
    expect(phone.get_by_label(label("Email address"))).to_have_value("grace@navy.example")
    expect(phone.get_by_label(label("Phone"))).to_have_value("+1 555 0100")
    expect(phone.get_by_label(label("LinkedIn profile"))).to_have_value(
        "https://www.linkedin.com/in/grace-hopper"
    )
    print(f"\ncard scan decoded with: {scan.get_attribute('data-decoder')}")
    assert_no_horizontal_scroll(phone)
    screenshot(phone, "pwa_capture_scanned_390")

    phone.get_by_role("button", name="Add to my contacts").click()
    expect(phone.locator("#met-recent li")).to_have_count(1)
    grace = Contact.objects.get(owner=student)
    assert (grace.name, grace.phone, grace.title) == (
        "Grace Hopper",
        "+1 555 0100",
        "Computer scientist",
    )


# The parser, in the page that loads it: (what the QR code says, the fields it fills).
CARDS = [
    (
        VCARD,
        {
            "name": "Grace Hopper",
            "organization_name": "Navy Research",
            "title": "Computer scientist",
            "email": "grace@navy.example",
            "phone": "+1 555 0100",
            "linkedin_url": "https://www.linkedin.com/in/grace-hopper",
        },
    ),
    # No FN: the name from N (prefix, given, additional, family, suffix); escaped commas and
    # semicolons; a folded line; vCard 4.0's tel: and mailto-less URIs; a second phone.
    (
        "BEGIN:VCARD\nVERSION:4.0\nN:Lovelace;Ada;;Countess;\n"
        "ORG:Babbage\\, Lovelace & Co\\;;R&D\nTEL;VALUE=uri;TYPE=work:tel:+44-20-7946-0000\n"
        "TEL;TYPE=cell:tel:+44-7700-900000\nNOTE:Met at the\n  engine demo\\nWants the notes\n"
        "URL:https://ada.example\nEND:VCARD",
        {
            "name": "Countess Ada Lovelace",
            "organization_name": "Babbage, Lovelace & Co;",
            "phone": "+44-7700-900000",
            "notes": "Met at the engine demo\nWants the notes\nWebsite: https://ada.example",
        },
    ),
    # vCard 2.1 with quoted-printable UTF-8 and a soft line break; a preferred email first.
    (
        "BEGIN:VCARD\r\nVERSION:2.1\r\n"
        "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Jos=C3=A9 Mar=\r\n"
        "=C3=ADa\r\nEMAIL;INTERNET:other@example.org\r\nEMAIL;PREF;INTERNET:jose@example.org\r\n"
        "item1.X-SOCIALPROFILE;TYPE=linkedin:linkedin.com/in/jose-maria/\r\nEND:VCARD",
        {
            "name": "José María",
            "email": "jose@example.org",
            "linkedin_url": "https://www.linkedin.com/in/jose-maria",
        },
    ),
    (
        "MECARD:N:Turing,Alan;ORG:Bletchley\\; Park;TEL:+44 1908 640404;"
        "EMAIL:alan@bletchley.example;URL:https://uk.linkedin.com/in/alan-turing/;NOTE:Enigma;;",
        {
            "name": "Alan Turing",
            "organization_name": "Bletchley; Park",
            "phone": "+44 1908 640404",
            "email": "alan@bletchley.example",
            "linkedin_url": "https://www.linkedin.com/in/alan-turing",
            "notes": "Enigma",
        },
    ),
    (
        "https://www.linkedin.com/in/katherine-johnson-123?utm_source=share&utm_medium=qr",
        {"linkedin_url": "https://www.linkedin.com/in/katherine-johnson-123"},
    ),
    (
        "linkedin.com/in/dorothy-vaughan",
        {"linkedin_url": "https://www.linkedin.com/in/dorothy-vaughan"},
    ),
    # Not a contact: another site's address, plain text, an attendee's check-in code.
    ("https://example.com/in/someone", None),
    ("Hello there", None),
    ("http://localhost/events/1/check-in/?code=abc", None),
    ("https://notlinkedin.com/in/x", None),
]


def test_the_card_parser_reads_vcards_mecards_and_linkedin_addresses(
    live_server, phone: Page, student
):
    log_in_as(phone, live_server.url, student)
    phone.goto(f"{live_server.url}/my/met/")
    for text, fields in CARDS:
        got = phone.evaluate("(text) => window.RapportContactCard.parse(text)", text)
        assert got == fields, text
