"""Volunteers' photos: what an upload must be, how it is re-encoded, where it is stored and
where it is served.

An upload is accepted only if it is at most PHOTO_MAX_UPLOAD_BYTES and Pillow reads it as a
JPEG, PNG or WebP, by its content (the file's name and the type the browser sent say nothing),
of at most MAX_PIXELS (a decompression bomb is a small file that decodes to gigabytes). What
is stored is a new JPEG made from the pixels alone: turned the way the camera's EXIF
orientation says, at most MAX_SIDE pixels a side, without any of the upload's metadata (EXIF
with its GPS position, XMP, comments, colour profile). It is stored with Django's default
storage (under MEDIA_ROOT) under a random name, never the uploaded one, and served only by
mentoring.views.photos to the people who may see the volunteer's directory card. The writes
that set and remove a photo are in mentoring.services.photos.

This module imports no model: mentoring.models uses `photo_url`.
"""

from __future__ import annotations

import io
import logging
import uuid
import warnings
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.translation import gettext
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
ACCEPT_ATTRIBUTE = "image/jpeg,image/png,image/webp"
# A 40-megapixel photo is larger than most phone cameras take; decoding one takes about
# 120 MB, more for anything larger, so nothing larger is decoded.
MAX_PIXELS = 40_000_000
# Shown at 32 and 48 CSS pixels: 512 is sharp on any screen and a few tens of kilobytes.
MAX_SIDE = 512
JPEG_QUALITY = 85
PHOTO_DIR = "volunteer-photos"
CONTENT_TYPES = {".jpg": "image/jpeg"}


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0")


def photo_reencoded(upload) -> bytes:
    """The uploaded file as the JPEG to store, or a ValidationError that says what is wrong
    with it in words the volunteer can act on."""
    limit = settings.PHOTO_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(
            gettext(
                "This file is %(size)s MB; photos up to %(limit)s MB are accepted. Choose a "
                "smaller photo."
            )
            % {"size": _megabytes(upload.size), "limit": _megabytes(limit)},
            code="too_big",
        )
    upload.seek(0)
    try:
        # Pillow warns (rather than refuses) between its own limit and twice that.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Only these decoders are tried: an SVG, a GIF or a PDF is simply not recognised.
            with Image.open(upload, formats=ACCEPTED_FORMATS) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise _too_many_pixels()
                # A JPEG is decoded at a half, a quarter or an eighth of its size when that
                # is still larger than what is kept: less memory, less time.
                image.draft("RGB", (MAX_SIDE * 2, MAX_SIDE * 2))
                image.load()
                return _reencode(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except UnidentifiedImageError:
        raise ValidationError(
            gettext("Choose a photo in JPEG, PNG or WebP format: this file is not one."),
            code="not_an_image",
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        # Truncated or corrupt data, found while decoding the pixels.
        raise ValidationError(
            gettext(
                "This photo could not be read: the file seems damaged or incomplete. Try "
                "saving or exporting it again."
            ),
            code="unreadable",
        ) from None


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        gettext(
            "This image is too large to process (more than %(megapixels)s megapixels). "
            "Choose a smaller photo."
        )
        % {"megapixels": MAX_PIXELS // 1_000_000},
        code="too_many_pixels",
    )


def _reencode(image: Image.Image) -> bytes:
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        # JPEG has no transparency: transparent parts become white rather than black.
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, "white")
        image.paste(rgba, mask=rgba.getchannel("A"))
    else:
        image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # Some encoders read what they write from the image's info as well as their arguments
    # (a JPEG comment): nothing of the upload's goes into the new file.
    image.info = {}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


# --- Storage -----------------------------------------------------------------------------


def photo_store(content: bytes) -> str:
    """Write a re-encoded photo under a new random name and return the name."""
    return default_storage.save(f"{PHOTO_DIR}/{uuid.uuid4().hex}.jpg", ContentFile(content))


def photo_delete(name: str) -> None:
    """Delete a stored photo; a missing file is no error. A failure is logged, not raised: it
    runs after a commit, when the change it follows cannot be undone."""
    if not name:
        return
    try:
        default_storage.delete(name)
    except OSError:
        logger.exception("Could not delete the photo file %s", name)


def photo_content_type(name: str) -> str | None:
    return CONTENT_TYPES.get(PurePosixPath(name).suffix)


# --- Where it is served ----------------------------------------------------------------------


def photo_version(name: str) -> str:
    """The part of the address that changes with the photo (its random name)."""
    return PurePosixPath(name).stem if name else ""


def photo_url(mentor_id: int | None, name: str) -> str:
    if not name or mentor_id is None:
        return ""
    return reverse(
        "mentoring:volunteer_photo",
        kwargs={"mentor_id": mentor_id, "version": photo_version(name)},
    )
