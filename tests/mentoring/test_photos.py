"""Volunteers' photos (issue 17): the upload's checks and re-encoding on the profile form, the
files kept in step with the rows (replaced, removed, the account closed), who may see a photo
and with which headers it is served, and where it replaces the initials."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.urls import reverse
from PIL import Image

from mentoring.models import Mentor, Mode, Topic
from mentoring.photos import MAX_SIDE, photo_version
from mentoring.services import photos as photo_services
from mentoring.services.photos import mentor_photo_remove, mentor_photo_set
from networking_app.accounts.deletion import account_delete
from networking_app.accounts.models import Affiliation
from networking_app.accounts.my_data import data_archive
from tests.factories import VolunteerFactory
from tests.mentoring.factories import AvailabilityWindowFactory, MentorFactory
from tests.mentoring.helpers import bookable_mentor, request_objects
from tests.mentoring.photo_files import (
    GPS_IFD,
    ORIENTATION,
    camera_exif,
    decompression_bomb,
    image_bytes,
    upload,
)
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db

PROFILE = reverse("mentoring:volunteer_profile")
REMOVE = reverse("mentoring:volunteer_photo_remove")
DIRECTORY = reverse("mentoring:directory")
STORED_NAME = re.compile(r"^volunteer-photos/[0-9a-f]{32}\.jpg$")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Every test stores its photos in a folder of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list[str]:
    folder = media / "volunteer-photos"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


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
        "modes": [Mode.PHONE],
        "linkedin_url": "",
        "hidden_fields": [],
        "code_of_conduct": "on",
        "listed": "on",
        "on_leave_until": "",
    }
    data.update(overrides)
    return data


def two_colour_photo() -> bytes:
    """A landscape JPEG, red on the left and blue on the right, that the camera says to turn
    90 degrees clockwise (so it shows as a portrait, red on top), with a GPS position."""
    image = Image.new("RGB", (1600, 1200), (255, 0, 0))
    image.paste((0, 0, 255), (800, 0, 1600, 1200))
    out = io.BytesIO()
    image.save(out, "JPEG", exif=camera_exif(), comment=b"taken at home")
    return out.getvalue()


def listed_with_photo(volunteer) -> Mentor:
    bookable_mentor(volunteer)
    return mentor_photo_set(user=volunteer, photo=image_bytes())


def photo_url(mentor: Mentor) -> str:
    return reverse(
        "mentoring:volunteer_photo",
        kwargs={"mentor_id": mentor.pk, "version": photo_version(mentor.photo.name)},
    )


# --- Uploading on the profile form -----------------------------------------------------------


def test_an_upload_is_turned_stripped_resized_and_stored_under_a_random_name(
    volunteer_client, volunteer, media
):
    sent = upload(two_colour_photo(), name="IMG_0042 at home.jpg")
    response = volunteer_client.post(PROFILE, {**form_data(), "photo": sent})

    assert response.status_code == 302
    mentor = Mentor.objects.get(user=volunteer)
    assert STORED_NAME.match(mentor.photo.name), mentor.photo.name
    assert mentor.title == "Head of Design"  # the rest of the form is saved with it
    with Image.open(media / mentor.photo.name) as stored:
        assert stored.format == "JPEG"
        # Turned as the camera said (a portrait, red on top), no more than MAX_SIDE a side.
        assert stored.size == (MAX_SIDE * 3 // 4, MAX_SIDE)
        assert stored.getpixel((stored.width // 2, 10))[0] > 200  # red on top
        assert stored.getpixel((stored.width // 2, stored.height - 10))[2] > 200  # blue below
        exif = stored.getexif()
        assert ORIENTATION not in exif
        assert exif.get_ifd(GPS_IFD) == {}
        assert len(exif) == 0
        assert not {"exif", "comment", "icc_profile", "xmp"} & set(stored.info)
    assert b"taken at home" not in (media / mentor.photo.name).read_bytes()


@pytest.mark.parametrize(
    ("content", "size"),
    [
        (image_bytes((100, 80), "PNG", mode="RGBA", color=(0, 0, 0, 0)), (100, 80)),
        (image_bytes((3000, 1500), "WEBP"), (MAX_SIDE, MAX_SIDE // 2)),
    ],
    ids=["transparent PNG", "WebP"],
)
def test_png_and_webp_are_accepted_as_jpeg(volunteer_client, volunteer, media, content, size):
    response = volunteer_client.post(PROFILE, {**form_data(), "photo": upload(content, "a.png")})

    assert response.status_code == 302
    with Image.open(media / Mentor.objects.get(user=volunteer).photo.name) as stored:
        assert (stored.format, stored.size) == ("JPEG", size)
        if size == (100, 80):  # transparent parts become white, not black
            assert stored.getpixel((50, 40)) == (255, 255, 255)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\xff\xd8" + bytes(5 * 1024 * 1024), "huge.jpg", "photos up to 5 MB are accepted"),
        (b"Dear diary, not a picture.", "notes.jpg", "JPEG, PNG or WebP"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "logo.svg",
            "JPEG, PNG or WebP",
        ),
        (image_bytes((40, 40), "GIF"), "party.gif", "JPEG, PNG or WebP"),
        (decompression_bomb(30_000, 30_000), "bomb.png", "too large to process"),
        (decompression_bomb(7_000, 7_000), "49mp.png", "more than 40 megapixels"),
        (image_bytes((600, 400), quality=95)[:2000], "cut.jpg", "damaged or incomplete"),
        (b"", "empty.jpg", "This file is empty"),
    ],
    ids=["too big", "text named .jpg", "SVG", "GIF", "bomb", "49 megapixels", "truncated", "empty"],
)
def test_refused_uploads_say_why_and_keep_the_rest_of_the_form(
    volunteer_client, volunteer, media, content, name, message
):
    response = volunteer_client.post(
        PROFILE, {**form_data(title="Chief Listener"), "photo": upload(content, name)}
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors["photo"])
    assert list(form.errors) == ["photo"]
    html = response.content.decode()
    assert message in html
    assert 'value="Chief Listener"' in html  # nothing else typed is lost
    assert 'enctype="multipart/form-data"' in html
    assert not Mentor.objects.filter(user=volunteer).exists()  # nothing saved
    assert stored_files(media) == []


def test_a_good_photo_on_a_form_refused_for_another_field_is_asked_for_again(
    volunteer_client, volunteer, media
):
    response = volunteer_client.post(
        PROFILE, {**form_data(affiliation=""), "photo": upload(image_bytes())}
    )

    assert response.status_code == 200
    assert "photo" not in response.context["form"].errors
    assert "choose your photo again" in response.content.decode()
    assert stored_files(media) == []


def test_the_form_without_a_photo_keeps_the_one_there(volunteer_client, volunteer, media):
    mentor = listed_with_photo(volunteer)

    assert volunteer_client.post(PROFILE, form_data()).status_code == 302

    assert Mentor.objects.get(pk=mentor.pk).photo.name == mentor.photo.name
    assert stored_files(media) == [mentor.photo.name.split("/")[1]]


# --- Replacing and removing ----------------------------------------------------------------


def test_replacing_deletes_the_old_file_once_committed(
    volunteer, media, django_capture_on_commit_callbacks
):
    first = listed_with_photo(volunteer).photo.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        second = mentor_photo_set(user=volunteer, photo=image_bytes(color=(0, 90, 0))).photo.name
    assert second != first
    assert (media / first).exists(), "the old file stays until the change is committed"

    for callback in callbacks:
        callback()

    assert stored_files(media) == [second.split("/")[1]]


def test_a_failed_save_leaves_no_new_file(volunteer, media, monkeypatch):
    first = listed_with_photo(volunteer).photo.name

    def fail(mentor, name):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(photo_services, "_replace", fail)
    with pytest.raises(RuntimeError):
        mentor_photo_set(user=volunteer, photo=image_bytes())

    assert stored_files(media) == [first.split("/")[1]]
    assert Mentor.objects.get(user=volunteer).photo.name == first


def test_remove_photo_deletes_the_file_and_brings_back_the_initials(
    volunteer_client, volunteer, media, django_capture_on_commit_callbacks
):
    mentor = listed_with_photo(volunteer)
    page = volunteer_client.get(PROFILE).content.decode()
    assert 'form="photo-remove"' in page
    assert f'action="{REMOVE}"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = volunteer_client.post(REMOVE, follow=True)

    assert "Your photo is removed" in response.content.decode()
    assert Mentor.objects.get(pk=mentor.pk).photo.name == ""
    assert stored_files(media) == []
    assert "Remove photo" not in response.content.decode()
    assert mentor_photo_remove(user=volunteer) is False  # nothing left to remove


# --- Serving ---------------------------------------------------------------------------------


def test_the_photo_is_served_as_an_image_that_nothing_runs(student_client, volunteer, media):
    mentor = listed_with_photo(volunteer)

    response = student_client.get(photo_url(mentor))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == "inline"
    assert response["Content-Security-Policy"] == "default-src 'none'"
    cache = {part.strip() for part in response["Cache-Control"].split(",")}
    assert "private" in cache
    assert any(part.startswith("max-age=") and int(part[8:]) > 0 for part in cache)
    assert b"".join(response.streaming_content) == (media / mentor.photo.name).read_bytes()


@pytest.mark.parametrize(
    ("listed", "expected"),
    [
        (
            True,
            {"anonymous": 404, "student": 200, "other_student": 200, "owner": 200, "staff": 200},
        ),
        (
            False,
            {"anonymous": 404, "student": 404, "other_student": 404, "owner": 200, "staff": 200},
        ),
    ],
    ids=["listed", "not listed"],
)
def test_who_may_see_the_photo(
    request, client, volunteer, student, other_student, staff, listed, expected
):
    mentor = listed_with_photo(volunteer)
    if not listed:
        bookable_mentor(volunteer, listed=False, is_bookable=False)
    clients = {
        "anonymous": client,
        "student": request.getfixturevalue("student_client"),
        "other_student": request.getfixturevalue("other_student_client"),
        "owner": request.getfixturevalue("volunteer_client"),
        "staff": request.getfixturevalue("staff_client"),
    }
    got = {who: c.get(photo_url(mentor)).status_code for who, c in clients.items()}
    assert got == expected


def test_an_old_address_or_another_volunteer_is_a_404(student_client, volunteer):
    mentor = listed_with_photo(volunteer)
    old = photo_url(mentor)
    mentor = mentor_photo_set(user=volunteer, photo=image_bytes(color=(1, 2, 3)))
    assert student_client.get(old).status_code == 404
    assert student_client.get(photo_url(mentor)).status_code == 200

    without = MentorFactory()
    url = reverse(
        "mentoring:volunteer_photo",
        kwargs={"mentor_id": without.pk, "version": photo_version(mentor.photo.name)},
    )
    assert student_client.get(url).status_code == 404


def test_a_missing_file_is_a_404_not_an_error(student_client, volunteer, media):
    mentor = listed_with_photo(volunteer)
    (media / mentor.photo.name).unlink()
    assert student_client.get(photo_url(mentor)).status_code == 404


# --- Closing the account, and the data download ------------------------------------------------


def test_closing_the_account_deletes_the_photo_file(
    volunteer, media, django_capture_on_commit_callbacks
):
    mentor = listed_with_photo(volunteer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        account_delete(user=volunteer)
    assert (media / mentor.photo.name).exists(), "the file stays until the deletion commits"

    for callback in callbacks:
        callback()

    assert stored_files(media) == []


def test_download_my_data_holds_the_photo(volunteer, media):
    mentor = listed_with_photo(volunteer)
    archive = zipfile.ZipFile(io.BytesIO(data_archive(user=volunteer)))

    assert archive.read("mentor_photo.jpg") == (media / mentor.photo.name).read_bytes()
    assert "mentor_photo.jpg" in archive.read("README.txt").decode()


def test_download_my_data_without_a_photo_has_no_photo_file(volunteer):
    bookable_mentor(volunteer)
    archive = zipfile.ZipFile(io.BytesIO(data_archive(user=volunteer)))
    assert "mentor_photo.jpg" not in archive.namelist()
    assert "mentor_photo.jpg" not in archive.read("README.txt").decode()


# --- Where it is shown -------------------------------------------------------------------------


def decorative_img(url: str, size: int) -> str:
    return f'src="{url}" alt="" width="{size}" height="{size}"'


def test_the_directory_card_shows_the_photo_instead_of_the_initials(student_client, volunteer):
    mentor = listed_with_photo(volunteer)
    AvailabilityWindowFactory(mentor=mentor)
    other = MentorFactory(user=VolunteerFactory(profile__display_name="Nadia Without"))

    html = student_client.get(DIRECTORY).content.decode()

    assert decorative_img(photo_url(mentor), 32) in html
    assert html.count('class="avatar avatar-photo"') == 1
    assert ">NW</span>" in html  # a volunteer without a photo keeps the initials
    assert other.photo.name == ""


def test_the_volunteers_page_and_their_own_preview_show_the_photo(
    student_client, volunteer_client, volunteer
):
    mentor = listed_with_photo(volunteer)
    url = photo_url(mentor)

    page = student_client.get(reverse("mentoring:mentor", kwargs={"mentor_id": mentor.pk}))
    assert decorative_img(url, 48) in page.content.decode()

    own = volunteer_client.get(PROFILE).content.decode()
    preview = own[own.index('id="card-preview"') :].split("</section>")[0]
    assert decorative_img(url, 32) in preview
    assert f'src="{url}" alt="Your photo as students see it"' in own


def test_requests_and_sessions_show_the_photo_while_the_volunteer_is_listed(
    student, student_client, volunteer
):
    ids = request_objects(student, volunteer)
    mentor = mentor_photo_set(user=volunteer, photo=image_bytes())
    pages = [
        reverse("mentoring:requests"),
        reverse("mentoring:request", kwargs={"request_id": ids["request_id"]}),
        reverse("mentoring:session", kwargs={"session_id": ids["session_id"]}),
    ]
    for page in pages:
        assert photo_url(mentor) in student_client.get(page).content.decode(), page

    Mentor.objects.filter(pk=mentor.pk).update(listed=False, is_bookable=False)
    for page in pages:
        html = student_client.get(page).content.decode()
        assert photo_url(mentor) not in html, page  # it would not be served: the initials


def test_staff_see_the_photo_when_they_review_a_volunteer(staff_client, pending_volunteer):
    MentorFactory(user=pending_volunteer, listed=False)
    mentor = mentor_photo_set(user=pending_volunteer, photo=image_bytes())

    html = staff_client.get(reverse("console:volunteers")).content.decode()

    assert decorative_img(photo_url(mentor), 32) in html
    assert staff_client.get(photo_url(mentor)).status_code == 200


def test_photos_cost_the_directory_no_query(student_client):
    def add_rows(n):
        for _ in range(n):
            mentor = MentorFactory()
            AvailabilityWindowFactory(mentor=mentor)
            Mentor.objects.filter(pk=mentor.pk).update(
                photo=f"volunteer-photos/{mentor.pk:032x}.jpg"
            )

    def page():
        response = student_client.get(DIRECTORY)
        assert 'class="avatar avatar-photo"' in response.content.decode()
        return response

    assert_queries_stable(page, add_rows, small=5, large=30)
