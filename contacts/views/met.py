"""'People I met' (contacts/met): the page, the endpoint its script syncs the phone's queue
through, the list of people added recently, and what makes the page an app that opens
offline: the web app manifest and the service worker, both served from the site root.

The page works without JavaScript (a plain POST per person). With it, static/js/met_capture.js
keeps each entry in the phone's IndexedDB under a key it draws (a UUID) and sends the queue
here whenever there is a connection; `met_person_add` adds each key's person once.
"""

from __future__ import annotations

import hashlib
import json
import uuid

from csp.constants import SELF
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from contacts.forms.met import MetPersonForm
from contacts.met import places
from contacts.met.selectors import met_recent
from contacts.met.services import met_person_add
from networking_app.accounts.decorators import network_required
from networking_app.core.form_errors import add_service_errors

# Entries per sync request: the script sends a longer queue in several requests.
SYNC_MAX_ENTRIES = 50
# The service worker's caches are named with this prefix and a version drawn from its source;
# static/js/met_signed_out.js deletes them when nobody is signed in.
CACHE_PREFIX = "rapport-met-"
# The colours of the CSS tokens (static/css/rapport.css): --accent and --bg, light scheme.
THEME_COLOUR = "#1d4ed8"
BACKGROUND_COLOUR = "#fafaf9"


def _event_choices(user) -> list[tuple[str, str]]:
    where = places.registered()
    return where.choices(user) if where else []


# --- The page --------------------------------------------------------------------------------


# The page registers the service worker (worker-src falls back to the nonce-only script-src).
@network_required
@csp_update({"worker-src": [SELF]})
def met_page(request):
    """One person at a time; without JavaScript a plain form, with it the phone's queue."""
    choices = _event_choices(request.user)
    if request.method == "POST":
        form = MetPersonForm(request.POST, event_choices=choices)
        if form.is_valid():
            try:
                contact, added = met_person_add(
                    owner=request.user, key=form.cleaned_data["key"], person=form.person()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                name = contact.name if contact is not None else form.cleaned_data["name"]
                if added:
                    messages.success(request, _("%(name)s is in your contacts.") % {"name": name})
                else:
                    messages.info(request, _("%(name)s was already added.") % {"name": name})
                return redirect("contacts:met")
    else:
        form = MetPersonForm(initial={"key": uuid.uuid4()}, event_choices=choices)
    return render(request, "contacts/met.html", {"form": form})


@require_GET
@network_required
def met_recent_list(request):
    """The people added most recently: loaded by the page once it is online (never part of
    the copy of the page kept for offline use)."""
    response = render(
        request, "contacts/_met_recent.html", {"recent": met_recent(owner=request.user)}
    )
    add_never_cache_headers(response)
    return response


# --- Sync ------------------------------------------------------------------------------------


def _refused(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _entry_data(entry: dict) -> dict:
    """The entry's values as a form's data: text only (a number is written as text)."""
    return {
        name: str(value)
        for name, value in entry.items()
        if isinstance(value, str | int | float) and not isinstance(value, bool)
    }


@require_http_methods(["GET", "POST"])
@network_required
def met_sync(request):
    """GET: who is signed in and a fresh CSRF token (a page opened offline may carry an old
    one). POST {"owner": id, "entries": [{"key": uuid, "name": ..., ...}]}: adds each entry's
    person once and answers {"saved": [keys], "invalid": [{"key", "reason", "errors"}]}; an
    entry saved before (a retry) is in "saved" again, an invalid one is not kept."""
    if request.method == "GET":
        response = JsonResponse({"owner": request.user.pk, "csrf_token": get_token(request)})
        add_never_cache_headers(response)
        return response
    try:
        payload = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        return _refused(_("The entries could not be read (not JSON)."), 400)
    entries = payload.get("entries") if isinstance(payload, dict) else None
    if not isinstance(entries, list) or not entries:
        return _refused(_("No entries were sent."), 400)
    if len(entries) > SYNC_MAX_ENTRIES:
        return _refused(
            _("Send at most %(count)s entries at a time.") % {"count": SYNC_MAX_ENTRIES}, 400
        )
    # Entries queued while someone else was signed in on this phone stay theirs.
    if payload.get("owner") != request.user.pk:
        return _refused(_("These entries were added by another account on this phone."), 409)
    saved: list[str] = []
    invalid: list[dict] = []
    for entry in entries:
        if not isinstance(entry, dict):
            invalid.append({"key": None, "reason": _("This entry is not a person."), "errors": {}})
            continue
        form = MetPersonForm(_entry_data(entry))
        if form.is_valid():
            try:
                met_person_add(
                    owner=request.user, key=form.cleaned_data["key"], person=form.person()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                saved.append(str(form.cleaned_data["key"]))
                continue
        invalid.append(
            {
                "key": entry.get("key"),
                "reason": form.reason(),
                "errors": {name: list(errors) for name, errors in form.errors.items()},
            }
        )
    return JsonResponse({"saved": saved, "invalid": invalid})


# --- The installable app: manifest and service worker ---------------------------------------


@require_GET
def web_manifest(request):
    """What a phone needs to install Rapport: it opens on "People I met"."""
    start = reverse("contacts:met")
    manifest = {
        "id": start,
        "name": f"Rapport · {settings.SCHOOL_NAME}",
        "short_name": "Rapport",
        "description": _("Add the people you meet at events, even without a connection."),
        "lang": get_language(),
        "start_url": start,
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": static("img/app-icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("img/app-icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("img/app-icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(manifest, content_type="application/manifest+json")
    patch_cache_control(response, no_cache=True)
    return response


def _service_worker_source() -> str:
    context = {
        "shell_url": reverse("contacts:met"),
        "static_url": static(""),
        "cache_prefix": CACHE_PREFIX,
        "version": "VERSION",
    }
    source = render_to_string("contacts/met_sw.js", context)
    # A new version whenever the worker's source changes: a new cache, the old one deleted.
    version = hashlib.sha256(source.encode()).hexdigest()[:12]
    return source.replace('"VERSION"', f'"{version}"', 1)


@require_GET
def service_worker(request):
    """Served from the site root but allowed to control only the "People I met" page: the
    rest of the site never goes through it. Never cached, so a new version is seen at once."""
    response = HttpResponse(_service_worker_source(), content_type="text/javascript")
    response["Service-Worker-Allowed"] = reverse("contacts:met")
    patch_cache_control(response, no_cache=True)
    return response
