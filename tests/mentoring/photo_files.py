"""Image files the photo tests upload (made here, nothing downloaded), and the route table's
world's volunteer photo."""

from __future__ import annotations

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

# EXIF tags: Orientation in the main directory, the GPS directory's pointer.
ORIENTATION = 0x0112
GPS_IFD = 0x8825
ROTATED_90_CW = 6  # "turn the image 90° clockwise to show it"


def image_bytes(
    size: tuple[int, int] = (64, 48),
    image_format: str = "JPEG",
    *,
    color=(200, 40, 40),
    mode: str = "RGB",
    exif: Image.Exif | None = None,
    **save_options,
) -> bytes:
    image = Image.new(mode, size, color)
    out = io.BytesIO()
    if exif is not None:
        save_options["exif"] = exif
    image.save(out, image_format, **save_options)
    return out.getvalue()


def camera_exif(*, orientation: int = ROTATED_90_CW) -> Image.Exif:
    """What a phone writes: the camera's make, how to turn the picture, and where it was."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update(
        {
            1: "N",  # GPSLatitudeRef
            2: (40.0, 44.0, 54.36),  # GPSLatitude
            3: "W",  # GPSLongitudeRef
            4: (73.0, 59.0, 8.5),  # GPSLongitude
        }
    )
    return exif


def decompression_bomb(width: int, height: int) -> bytes:
    """A PNG of a few dozen bytes whose header says it is `width` by `height` pixels: a real
    small PNG with its IHDR chunk's size (and checksum) rewritten."""
    png = bytearray(image_bytes((8, 8), "PNG", mode="L", color=0))
    ihdr = png.index(b"IHDR")
    png[ihdr + 4 : ihdr + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(png[ihdr : ihdr + 17]))
    png[ihdr + 17 : ihdr + 21] = struct.pack(">I", crc)
    return bytes(png)


def upload(content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def photo_objects(volunteer) -> dict:
    """The route table's world: the volunteer's mentor profile (directory_objects made it) has
    a photo, whose version names it in the photo's URL."""
    from mentoring.photos import photo_version
    from mentoring.services.photos import mentor_photo_set

    mentor = mentor_photo_set(user=volunteer, photo=image_bytes())
    return {"version": photo_version(mentor.photo.name)}
