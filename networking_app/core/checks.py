"""System checks of the school's settings (run by `manage.py check`, migrate, the deploy check
and every start of the web process)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.checks import Error, register
from django.templatetags.static import static


@register()
def school_logo_check(app_configs, **kwargs) -> list[Error]:
    """SCHOOL_LOGO names a static file that exists (and, with the production storage, was
    collected): otherwise every page would link a missing image, or fail to render."""
    path = settings.SCHOOL_LOGO
    if not path:
        return []
    hint = (
        "Put the logo under static/school/ (before building the Docker image, which collects "
        "the static files) and set SCHOOL_LOGO=school/<file>, or leave SCHOOL_LOGO empty."
    )
    if finders.find(path) is None:
        return [Error(f"SCHOOL_LOGO={path!r} is not among the static files.", hint=hint,
                      id="core.E001")]  # fmt: skip
    try:
        static(path)
    except ValueError as error:  # the manifest of collected files does not list it
        return [Error(f"SCHOOL_LOGO={path!r}: {error}", hint=hint, id="core.E002")]
    return []
