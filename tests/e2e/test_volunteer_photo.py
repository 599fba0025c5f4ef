"""A volunteer adds a photo on her profile page and a student sees it on her directory card,
both on a phone, through the real pages."""

from __future__ import annotations

import io

from django.urls import reverse
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from mentoring.models import Mentor
from tests.e2e.conftest import log_in_as, screenshot
from tests.e2e.helpers import PHONE_VIEWPORT, assert_no_horizontal_scroll, status_message
from tests.mentoring.helpers import bookable_mentor


def portrait_jpeg() -> bytes:
    """A camera-sized picture of a head and shoulders (made here, nothing downloaded)."""
    image = Image.new("RGB", (1200, 1600), (214, 228, 240))
    draw = ImageDraw.Draw(image)
    draw.ellipse((350, 300, 850, 900), fill=(176, 122, 92))  # head
    draw.ellipse((150, 950, 1050, 1900), fill=(40, 70, 120))  # shoulders
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def expect_loaded(page: Page, image) -> None:
    """The browser fetched and decoded the image (an image that failed has no width)."""
    expect(image).to_be_visible()
    image.scroll_into_view_if_needed()
    # Polled by Playwright's own assertions: a wait_for_function predicate is compiled with eval
    # in the page, which the Content Security Policy refuses once it has to poll.
    expect(image).to_have_js_property("complete", True)
    expect(image).not_to_have_js_property("naturalWidth", 0)


def test_a_volunteer_adds_a_photo_and_a_student_sees_it_on_her_card(
    live_server, page: Page, volunteer, student, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    bookable_mentor(volunteer)
    name = volunteer.display_name
    base = live_server.url

    page.set_viewport_size(PHONE_VIEWPORT)
    log_in_as(page, base, volunteer)
    page.goto(base + reverse("mentoring:volunteer_profile"))
    page.get_by_label("Choose a photo").set_input_files(
        files=[{"name": "IMG_0042.jpg", "mimeType": "image/jpeg", "buffer": portrait_jpeg()}]
    )
    page.get_by_role("button", name="Save mentor profile").click()

    expect(status_message(page, "Your mentor profile is saved")).to_be_visible()
    expect_loaded(page, page.get_by_role("img", name="Your photo as students see it"))
    expect_loaded(page, page.locator("#card-preview img.avatar-photo"))
    expect(page.get_by_role("button", name="Remove photo")).to_be_visible()
    page.locator("#photo").scroll_into_view_if_needed()
    assert_no_horizontal_scroll(page)
    screenshot(page, "volunteer_photo_profile_phone", full_page=False)
    assert Mentor.objects.get(user=volunteer).photo.name.startswith("volunteer-photos/")

    page.context.clear_cookies()
    log_in_as(page, base, student)
    page.goto(base + reverse("mentoring:directory"))
    card = page.locator("li.mentor-card").filter(has=page.get_by_role("link", name=name))
    photo = card.locator("img.avatar-photo")
    expect_loaded(page, photo)
    # Decorative: the name beside it says who it is.
    assert photo.get_attribute("alt") == ""
    box = photo.bounding_box()
    assert round(box["width"]) == round(box["height"]) == 32
    assert_no_horizontal_scroll(page)
    screenshot(page, "volunteer_photo_directory_card_phone", full_page=False)
