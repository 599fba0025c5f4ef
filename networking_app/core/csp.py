"""Content Security Policy: nonce-only scripts everywhere (settings CONTENT_SECURITY_POLICY,
enforced by django-csp), with one scoped exception for the Django admin: its scripts from our
own origin. Nothing else is relaxed there: Django 5.2's admin has no inline script or style
(tests/e2e/test_admin_csp.py loads its pages in Chromium and expects a silent console)."""

from __future__ import annotations

from csp.constants import SELF


class AdminScriptsMiddleware:
    """The Django admin's templates load their scripts without a nonce; its pages (staff only,
    behind TOTP) may also run scripts from our own origin. Listed after csp's middleware, so
    this runs first on the way out and csp reads the update."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith("/admin/"):
            response._csp_update = {"script-src": [SELF]}
        return response


def nonce(request) -> dict:
    """`csp_nonce` for templates: django-htmx's {% htmx_script %} reads this name."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
