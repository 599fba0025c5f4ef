"""Keyboard only, reflow at 320 CSS px and contrast in the dark colour scheme (issue 18, the
checks behind docs/accessibility.md), in Chromium with the demo data.

- Each role's main journey with the keyboard alone: after the start page nothing is clicked and
  no address is typed; Tab, Shift+Tab, Enter, Space, the arrow keys and typing do everything.
  Every element the keyboard reaches on the way must draw a visible focus indicator, every
  form control of every page visited has an accessible name (the browser's accessibility
  tree), the skip link moves focus to the main content, focus order matches the visual order
  on two forms, and a sign-up with errors puts focus on the error summary. After an htmx
  update (RSVP, the calendar's next month) focus stays on the control.
- Reflow at 320 CSS px and axe's contrast in the dark scheme, page by page, are in
  test_accessibility.py's crawl of every main page.
- What axe does not measure, in both schemes: the focus ring and a text field's border are at
  least 3:1 against the page and a card, and placeholder text 4.5:1 against its field.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from mentoring.models import FlashRequest, Mentor, RequestStatus, Session
from mentoring.services.availability import open_slots
from mentoring.services.requests import flash_request_create
from networking_app.accounts.models import ApprovalStatus, User
from networking_app.demo.load import demo_data_load
from tests.e2e.conftest import log_in_as

DESKTOP = {"width": 1280, "height": 900}
# Roles of the accessibility tree that a person operates: each needs a name.
CONTROL_ROLES = {
    "button",
    "checkbox",
    "combobox",
    "listbox",
    "menuitem",
    "radio",
    "searchbox",
    "slider",
    "spinbutton",
    "switch",
    "textbox",
}
# No htmx request in flight, no swap or settle under way.
HTMX_IDLE = """() => !document.querySelector(
    '.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added'
)"""

FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const s = getComputedStyle(el);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    const shadow = !!s.boxShadow && s.boxShadow !== 'none';
    const r = el.getBoundingClientRect();
    return {
        tag: el.tagName.toLowerCase(), id: el.id, classes: el.getAttribute('class') || '',
        indicator: outline || shadow, inMain: !!el.closest('main'),
        top: Math.round(r.top + scrollY), left: Math.round(r.left + scrollX),
        onScreen: r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0
            && r.left < innerWidth && r.top < innerHeight,
    };
}"""


@pytest.fixture
def demo(transactional_db):
    demo_data_load()


def _plain(name: str) -> str:
    """An accessible name without the colon Django's labels end with."""
    return re.sub(r"\s+", " ", name).strip().removesuffix(":").strip()


@dataclass(frozen=True)
class Stop:
    """Where focus is: the browser's role and accessible name, and where it is drawn."""

    role: str
    name: str
    tag: str
    id: str
    classes: str
    indicator: bool
    in_main: bool
    on_screen: bool
    top: int
    left: int

    def __str__(self) -> str:
        return f"{self.role} {self.name!r} (<{self.tag} id={self.id!r} class={self.classes!r}>)"


class Keyboard:
    """Presses keys on a page and reads where focus went, with the name Chromium computes
    (its accessibility tree, over the DevTools protocol)."""

    def __init__(self, page: Page):
        self.page = page
        self.cdp = page.context.new_cdp_session(page)
        self.visited: list[Stop] = []

    def focused_settled(self, timeout: float = 3.0) -> Stop | None:
        """What has focus once htmx has settled: it puts focus back on the new control after
        the swap settles, a moment after the new content shows. The next key must not be
        pressed before: a request started while the last swap still settles can leave focus
        on the page (it did when a month's page was quick to answer)."""
        self.page.wait_for_function(HTMX_IDLE, timeout=timeout * 1000)
        deadline = time.monotonic() + timeout
        while True:
            stop = self.focused()
            if stop is not None or time.monotonic() > deadline:
                return stop
            self.page.wait_for_timeout(50)

    def focused(self) -> Stop | None:
        where = self.page.evaluate(FOCUSED)
        if where is None:
            return None
        handle = self.cdp.send("Runtime.evaluate", {"expression": "document.activeElement"})
        nodes = self.cdp.send(
            "Accessibility.getPartialAXTree",
            {"objectId": handle["result"]["objectId"], "fetchRelatives": False},
        )["nodes"]
        node = nodes[-1] if nodes else {}
        return Stop(
            role=node.get("role", {}).get("value", ""),
            name=_plain(str(node.get("name", {}).get("value", ""))),
            tag=where["tag"],
            id=where["id"],
            classes=where["classes"],
            indicator=where["indicator"],
            in_main=where["inMain"],
            on_screen=where["onScreen"],
            top=where["top"],
            left=where["left"],
        )

    def press(self, key: str) -> Stop | None:
        self.page.keyboard.press(key)
        stop = self.focused()
        if stop is not None and key in ("Tab", "Shift+Tab"):
            self.visited.append(stop)
            assert stop.indicator, f"{self.page.url}: no visible focus indicator on {stop}"
            assert stop.on_screen, f"{self.page.url}: focus went off screen, to {stop}"
        return stop

    def tab_until(
        self, wanted: Callable[[Stop], bool], *, backwards: bool = False, limit: int = 150
    ) -> list[Stop]:
        """Tab (or Shift+Tab) until `wanted` holds for the focused element: the stops on the
        way, that one last."""
        stops = []
        for _ in range(limit):
            stop = self.press("Shift+Tab" if backwards else "Tab")
            if stop is None:
                continue
            stops.append(stop)
            if wanted(stop):
                return stops
        names = [str(s) for s in stops[-12:]]
        raise AssertionError(f"{self.page.url}: the keyboard never reached it; last: {names}")

    def tab_to(self, role: str, name: str, **kwargs) -> list[Stop]:
        return self.tab_until(lambda s: s.role == role and s.name == name, **kwargs)

    def follow(self, key: str = "Enter") -> None:
        """Press a key that opens another page (a link, a form's submission) and wait for it."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)
        assert_controls_have_names(self.page, self.cdp)


def assert_controls_have_names(page: Page, cdp) -> None:
    """Every control in the accessibility tree has a name (hidden ones are not in it)."""
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    unnamed = [
        node
        for node in nodes
        if not node.get("ignored")
        and node.get("role", {}).get("value") in CONTROL_ROLES
        and not str(node.get("name", {}).get("value", "")).strip()
    ]
    described = []
    for node in unnamed:
        html = cdp.send("DOM.resolveNode", {"backendNodeId": node["backendDOMNodeId"]})
        outer = cdp.send(
            "Runtime.callFunctionOn",
            {
                "objectId": html["object"]["objectId"],
                "functionDeclaration": "function () { return this.outerHTML.slice(0, 120); }",
                "returnByValue": True,
            },
        )
        described.append(outer["result"]["value"])
    assert described == [], f"{page.url}: controls without an accessible name: {described}"


def assert_follows_visual_order(stops: list[Stop]) -> None:
    """Tab order equals reading order: top to bottom, and left to right within a row."""
    visual = sorted(stops, key=lambda s: (s.top, s.left))
    assert [s.name for s in stops] == [s.name for s in visual]


def assert_skip_link_works(keys: Keyboard) -> None:
    first = keys.press("Tab")
    assert first is not None
    assert (first.role, first.name) == ("link", "Skip to main content")
    assert first.on_screen, "the skip link stays off screen when it has focus"
    keys.page.keyboard.press("Enter")
    assert keys.page.evaluate("() => document.activeElement.id") == "main"
    after = keys.press("Tab")
    assert after is not None
    assert after.in_main, f"after the skip link, Tab went to {after}, outside the main content"


def status_message(page: Page, text: str):
    return page.locator("#messages").get_by_role("status").filter(has_text=text)


# --- Journeys ----------------------------------------------------------------------------------

CONTACT_FORM_ORDER = [
    "Name",
    "Organization",
    "Job title",
    "Industry",
    "Email address",
    "Phone",
    "LinkedIn profile",
    "How you know each other",
    "How and where you met",
    "Referred by",
    "The referrer said I may use their name",
    "Tags",
    "Stay in touch",
    "Notes",
    "Add contact",
    "Cancel",
]


def test_student_adds_a_contact_and_asks_a_volunteer_with_the_keyboard_alone(
    demo, live_server, page: Page
):
    student = User.objects.get(email="student@example.edu")
    log_in_as(page, live_server.url, student)
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/")
    keys = Keyboard(page)
    assert_controls_have_names(page, keys.cdp)
    assert_skip_link_works(keys)

    # Today -> the contact form, through Today's checklist.
    keys.tab_to("link", "Add your first contact")
    keys.follow()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a contact")

    # The form: Tab order is the visual order, forwards and backwards.
    stops = keys.tab_to("textbox", "Name")
    page.keyboard.type("Dana Okoro")
    stops = [stops[-1], *keys.tab_to("link", "Cancel")]
    assert [s.name for s in stops] == CONTACT_FORM_ORDER
    assert_follows_visual_order(stops)
    backwards = [stops[-1], *keys.tab_to("textbox", "Name", backwards=True)]
    assert [s.name for s in backwards] == CONTACT_FORM_ORDER[::-1]

    keys.tab_to("textbox", "Organization")
    page.keyboard.type("Fabrikam Energy")
    keys.tab_to("textbox", "Job title")
    page.keyboard.type("Grid analyst")
    keys.tab_to("combobox", "How you know each other")
    page.keyboard.type("Family")  # a closed select picks the option typed
    assert page.locator("#id_relationship").input_value() == "family_friend"
    keys.tab_to("textbox", "Industry", backwards=True)
    page.keyboard.type("Energy")
    keys.follow("Enter")  # Enter in a text field submits the form
    expect(status_message(page, "Dana Okoro is added.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dana Okoro")

    # The contacts list has her.
    keys.tab_to("link", "Contacts")
    keys.follow()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your contacts")
    expect(page.locator("#contact-results").get_by_role("link", name="Dana Okoro")).to_be_visible()

    # The directory -> Priya Shah's week of open times -> the request form.
    keys.tab_to("link", "Directory")
    keys.follow()
    keys.tab_until(lambda s: s.role == "link" and s.name.startswith("Priya Shah"))
    keys.follow()
    expect(page.get_by_role("heading", level=1)).to_have_text("Priya Shah")
    if page.locator(".slot-link").count() == 0:  # nothing left this week: the next one
        keys.tab_to("link", "Next week →")
        keys.follow()
    slot = keys.tab_until(lambda s: "slot-link" in s.classes)[-1]
    assert slot.name.endswith("request this time"), slot
    keys.follow()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask Priya Shah for a conversation")
    expect(page.locator("#chosen-slot")).to_be_visible()
    keys.tab_to("textbox", "What I would like to learn")
    page.keyboard.type("How did you move from economics into data science?")
    keys.tab_to("button", "Send the request")
    keys.follow("Space")
    expect(status_message(page, "Your request is on its way to Priya Shah")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your request to Priya Shah")
    assert FlashRequest.objects.filter(student=student, status=RequestStatus.PENDING).count() == 1


def test_focus_stays_on_the_control_after_an_in_page_update(demo, live_server, page: Page):
    """htmx replaces the part of the page that holds the control pressed; the new control
    carries the same id, so htmx puts focus back on it instead of dropping it to the page."""
    log_in_as(page, live_server.url, User.objects.get(email="student@example.edu"))
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/")
    keys = Keyboard(page)

    keys.tab_to("link", "Informational interviews: a workshop")
    keys.follow()
    keys.tab_until(
        lambda s: s.role == "button" and s.name in ("RSVP: I'm going", "Join the waitlist")
    )
    page.keyboard.press("Enter")
    expect(page.locator("#rsvp-status")).to_contain_text(
        re.compile("You are (going|on the waitlist)")
    )
    after = keys.focused_settled()
    assert after is not None
    assert (after.role, after.name) in {
        ("button", "Cancel my RSVP"),
        ("button", "Leave the waitlist"),
    }

    keys.tab_to("link", "Events", backwards=True)
    keys.follow()
    month = page.locator("#calendar-title").inner_text()
    keys.tab_to("link", "Next →")
    page.keyboard.press("Enter")
    expect(page.locator("#calendar-title")).not_to_have_text(month)
    after = keys.focused_settled()
    assert after is not None
    assert (after.role, after.name) == ("link", "Next →")
    keys.tab_to("link", "← Previous", backwards=True)
    page.keyboard.press("Enter")
    expect(page.locator("#calendar-title")).to_have_text(month)
    after = keys.focused_settled()
    assert after is not None
    assert (after.role, after.name) == ("link", "← Previous")


def test_volunteer_accepts_a_request_with_the_keyboard_alone(demo, live_server, page: Page):
    volunteer = User.objects.get(email="volunteer@example.org")
    mentor = Mentor.objects.get(user=volunteer)
    slot = open_slots(mentor, limit=1)[0]
    flash_request_create(
        student=User.objects.get(email="student@example.edu"),
        mentor=mentor,
        start_at=slot.start_at,
        message="Could we talk about analytics roles?",
    )
    log_in_as(page, live_server.url, volunteer)
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/")
    keys = Keyboard(page)
    assert_controls_have_names(page, keys.cdp)
    assert_skip_link_works(keys)

    keys.tab_to("link", "1 request waiting for your answer")
    keys.follow()
    expect(page.get_by_role("heading", level=1)).to_have_text("Requests for you")
    keys.tab_to("link", "Sam Rivera")
    keys.follow()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request from Sam Rivera")

    # How to meet: a radio group, chosen with the arrow keys.
    first = keys.tab_until(lambda s: s.role == "radio")[-1]
    page.keyboard.press("ArrowDown")
    chosen = keys.focused()
    assert chosen is not None
    assert chosen.role == "radio"
    assert chosen.name != first.name
    assert page.locator("#answer").get_by_role("radio", name=chosen.name).is_checked()
    keys.tab_to("textbox", "Place or link")
    page.keyboard.type("+1 555 0100")
    keys.tab_to("button", "Accept the request")
    keys.follow("Enter")
    expect(status_message(page, "Accepted.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Flash Mentoring with Sam Rivera")
    assert FlashRequest.objects.get().status == RequestStatus.ACCEPTED
    assert Session.objects.filter(volunteer=volunteer).count() == 1


def test_staff_approves_a_volunteer_with_the_keyboard_alone(demo, live_server, page: Page):
    log_in_as(page, live_server.url, User.objects.get(email="staff@example.edu"))
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    keys = Keyboard(page)
    assert_controls_have_names(page, keys.cdp)
    assert_skip_link_works(keys)

    keys.tab_to("link", "Volunteers")
    keys.follow()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Volunteers"))
    keys.tab_to("textbox", "Note (optional, emailed to Jordan Lee)")
    page.keyboard.type("Welcome aboard")
    keys.tab_to("button", "Approve Jordan Lee")
    keys.follow("Enter")
    expect(status_message(page, "Jordan Lee is approved")).to_be_visible()
    pending = User.objects.get(email="new.volunteer@example.org")
    assert pending.volunteer_profile.status == ApprovalStatus.APPROVED


SIGN_UP_ORDER = [
    "I am a student",
    "Your name",
    "Email",
    "Password",
    "Password (again)",
    "Class year (optional)",
    "Time zone",
    "Sign Up",
]


def test_visitor_signs_up_with_errors_and_is_taken_to_them(demo, live_server, page: Page):
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/")
    keys = Keyboard(page)
    assert_skip_link_works(keys)
    keys.tab_to("link", "Sign up", backwards=True)  # the navigation is above the main content
    keys.follow()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign Up")

    # The role is a radio group: the arrow keys choose, and the volunteers' question follows.
    affiliation = page.get_by_label(re.compile("Your connection to the school"))
    keys.tab_to("radio", "I am a student")
    page.keyboard.press("Space")
    expect(affiliation).to_be_hidden()
    role_chosen = page.locator("input[name=role]:checked")
    page.keyboard.press("ArrowDown")
    assert keys.focused().name.startswith("I am an alumna/alumnus")
    expect(role_chosen).to_have_value("volunteer")
    expect(affiliation).to_be_visible()
    page.keyboard.press("ArrowUp")
    expect(role_chosen).to_have_value("student")
    expect(affiliation).to_be_hidden()

    # Tab order is the visual order.
    stops = [keys.focused(), *keys.tab_to("button", "Sign Up")]
    assert [s.name for s in stops] == SIGN_UP_ORDER
    assert_follows_visual_order(stops)

    # A required field left empty: the browser stops the submission on it.
    keys.tab_to("textbox", "Email", backwards=True)
    page.keyboard.type("new.student@example.edu")
    page.keyboard.press("Enter")
    assert keys.focused().name == "Your name"
    page.keyboard.type("Robin Diaz")

    # Errors only the server finds: focus goes to the summary, an alert, and each field says
    # what is wrong through aria-describedby.
    keys.tab_to("textbox", "Password")
    page.keyboard.type("abc")
    keys.tab_to("textbox", "Password (again)")
    page.keyboard.type("abd")
    keys.follow("Enter")
    summary = page.locator(".form-errors[role=alert]")
    expect(summary).to_have_text("Please correct the fields marked below.")
    expect(summary).to_be_focused()
    assert keys.focused().indicator, "the focused error summary shows no focus indicator"
    invalid = page.locator("[aria-invalid=true]")
    assert invalid.count() >= 1
    for i in range(invalid.count()):
        field = invalid.nth(i)
        described = (field.get_attribute("aria-describedby") or "").split()
        error_id = f"{field.get_attribute('id')}_error"
        assert error_id in described, field.get_attribute("name")
        expect(page.locator(f"#{error_id}")).to_be_visible()
    after = keys.press("Tab")
    assert after is not None
    assert after.in_main
    assert not User.objects.filter(email="new.student@example.edu").exists()


def _contrast(one: str, two: str) -> float:
    """WCAG contrast ratio of two computed colours ("rgb(r, g, b)")."""

    def luminance(colour: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", colour)[:3]]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted([luminance(one), luminance(two)], reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_focus_ring_field_borders_and_placeholders_stand_out(live_server, page: Page, scheme):
    """What axe does not measure, in each colour scheme: the focus ring and a text field's
    border against the page and a card (1.4.11, 3:1), and the placeholder text against the
    field (1.4.3, 4.5:1)."""
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + reverse("account_login"))
    field = page.get_by_role("textbox", name=re.compile("^Email"))
    while not field.evaluate("el => el === document.activeElement"):
        page.keyboard.press("Tab")
    colours = page.evaluate(
        """() => {
        const root = getComputedStyle(document.documentElement);
        const probe = document.createElement('div');
        document.body.append(probe);
        probe.style.background = root.getPropertyValue('--surface');
        const surface = getComputedStyle(probe).backgroundColor;
        probe.remove();
        const field = getComputedStyle(document.activeElement);
        return {page: getComputedStyle(document.body).backgroundColor, card: surface,
                ring: field.outlineColor, border: field.borderTopColor,
                field: field.backgroundColor,
                placeholder: getComputedStyle(document.activeElement, '::placeholder').color};
    }"""
    )
    for part in ("ring", "border"):
        for behind in ("page", "card"):
            ratio = _contrast(colours[part], colours[behind])
            assert ratio >= 3, (
                f"{scheme}: the {part} {colours[part]} on the {behind} is {ratio:.2f}:1"
            )
    ratio = _contrast(colours["placeholder"], colours["field"])
    assert ratio >= 4.5, f"{scheme}: the placeholder text is {ratio:.2f}:1 on its field"
