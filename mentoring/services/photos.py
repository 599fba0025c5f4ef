"""A volunteer's photo: set (or replace) and remove it (the checks and the file handling are in
mentoring/photos.py).

A file and the row naming it change in an order that never leaves the row naming a missing
file: the new file is written before the row is updated (and deleted again if that fails), the
old one is deleted once the change has committed."""

from __future__ import annotations

from functools import partial

from django.db import transaction

from mentoring import photos
from mentoring.models import Mentor
from mentoring.services.profiles import mentor_get_or_create
from networking_app.accounts.models import User
from networking_app.core.cache import DIRECTORY, bump_version


def _locked_mentor(user: User) -> Mentor | None:
    # Locked so that two uploads at once replace one another in turn: the second reads the
    # first's file as the old one and deletes it, instead of both deleting the same one and
    # leaving a file that no row names.
    return Mentor.objects.select_for_update(of=("self",)).filter(user=user).first()


def photo_delete_on_commit(name: str) -> None:
    """Delete the file once the current transaction commits (at once outside one)."""
    if name:
        transaction.on_commit(partial(photos.photo_delete, name))


def _replace(mentor: Mentor, name: str) -> None:
    old = mentor.photo.name
    mentor.photo = name
    mentor.save(update_fields=["photo", "updated_at"])
    photo_delete_on_commit(old)
    # The directory's kept pages show the photo's address: they go.
    bump_version(DIRECTORY)


def mentor_photo_set(*, user: User, photo: bytes) -> Mentor:
    """Make `photo` (checked and re-encoded by photos.photo_reencoded) the volunteer's photo,
    in place of any other."""
    mentor_get_or_create(user=user)
    name = photos.photo_store(photo)
    try:
        with transaction.atomic():
            mentor = _locked_mentor(user)
            assert mentor is not None  # created above; only closing the account removes it
            _replace(mentor, name)
    except BaseException:
        photos.photo_delete(name)
        raise
    return mentor


def mentor_photo_remove(*, user: User) -> bool:
    """Remove the volunteer's photo (students see their initials again). False when they had
    none."""
    with transaction.atomic():
        mentor = _locked_mentor(user)
        if mentor is None or not mentor.photo:
            return False
        _replace(mentor, "")
    return True
