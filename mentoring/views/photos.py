"""Volunteers' photos: served to whoever may see the volunteer's directory card (never from a
public media address), and removed by the volunteer. Uploading is part of the profile form
(views.volunteer)."""

from __future__ import annotations

from csp.constants import NONE
from csp.decorators import csp
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from mentoring.photos import photo_content_type
from mentoring.selectors.photos import mentor_photo_get_for_viewer
from mentoring.services.photos import mentor_photo_remove
from networking_app.accounts.decorators import role_required
from networking_app.accounts.models import Role

# The address changes with the photo, so a browser may keep it; private: only the people
# allowed to see it may be handed it, never a shared cache.
PHOTO_CACHE_SECONDS = 7 * 24 * 60 * 60


@require_safe
@csp({"default-src": [NONE]})
def volunteer_photo(request, mentor_id: int, version: str):
    mentor = mentor_photo_get_for_viewer(user=request.user, mentor_id=mentor_id, version=version)
    name = mentor.photo.name
    content_type = photo_content_type(name)
    if content_type is None:
        raise Http404("No such photo")
    try:
        stream = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404("No such photo") from None
    response = FileResponse(stream, content_type=content_type)
    # An image, to be shown in the page; nothing in it may run or be read as another type.
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, max_age=PHOTO_CACHE_SECONDS)
    return response


@require_POST
@role_required(Role.VOLUNTEER)
def volunteer_photo_remove(request):
    if mentor_photo_remove(user=request.user):
        messages.success(
            request, gettext("Your photo is removed. Students see your initials instead.")
        )
    else:
        messages.info(request, gettext("You have no photo to remove."))
    return redirect("mentoring:volunteer_profile")
