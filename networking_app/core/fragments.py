"""One rule for views that answer htmx with a fragment of the page they render in full."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def wants_fragment(request: HttpRequest) -> bool:
    """An htmx request wants the fragment; a history restore (the browser's back button with
    nothing cached) needs the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def render_fragment_or_page(
    request: HttpRequest, *, fragment: str, page: str, context: dict
) -> HttpResponse:
    """The fragment template for htmx, else the page; varied on HX-Request so a cache never
    serves one for the other."""
    template = fragment if wants_fragment(request) else page
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
