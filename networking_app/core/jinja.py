"""Jinja2, through Django's own backend, for the few fragments whose loops Django's template
engine makes slow (bench/RESULTS.md: "Template rendering", "Dashboard charts and list rows
through Jinja2").

The templates live in templates/jinja2/ and are rendered only by name through
`render_fragment`; every page and every other fragment stays a Django template. The
environment autoescapes (Django's backend turns it on; `environment` refuses to run without
it), translates with Django's own catalogues (`{{ _("...") }}`, which makemessages reads like
the Django engine's `_()`), and knows only the row helpers of Django's templates
(`object_url`, `|when`, `|initials`, `|avatar_hue`): the values it shows are computed in Python.
A Django template includes one with `{% load fragments %}{% jinja_fragment "name" key=value %}`.
"""

from __future__ import annotations

import datetime as dt

from django.template import engines
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext, npgettext, pgettext
from jinja2 import Environment, pass_context
from jinja2.runtime import Context

from networking_app.core.rendering import object_url
from networking_app.core.templatetags.rows import avatar_hue, formatted_date, initials, viewer

ENGINE = "jinja2"


def environment(**options) -> Environment:
    if options.pop("autoescape", True) is not True:
        raise ValueError("the Jinja2 engine must autoescape")
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
    # Django's gettext, as `_()`: a translation is text, escaped where it is written; a
    # placeholder is filled with `|format(name=value)` (makemessages reads `_("...")` alone).
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext, ngettext, newstyle=False, pgettext=pgettext, npgettext=npgettext
    )
    # The row helpers of Django's templates (networking_app/core/templatetags/rows.py), the same
    # functions: `object_url("contacts:detail", "contact_id", pk)`, `|when`, `|initials`...
    env.globals["object_url"] = object_url
    env.filters.update(when=_when, initials=initials, avatar_hue=avatar_hue)
    return env


# The viewer's time zone and language, read once per fragment for its dates (`|when`): each
# read of Django's active zone or language costs about as much as formatting a remembered date.
VIEWER = "_viewer"


@pass_context
def _when(context: Context, value: dt.date | None, format_name: str = "DATE_FORMAT") -> str:
    """Django's `|when` (networking_app/core/templatetags/rows.py) for the fragment's viewer."""
    return formatted_date(value, format_name, context.get(VIEWER) or viewer())


def render_fragment(template_name: str, context: dict, *, request=None) -> SafeString:
    """A Jinja2 fragment as HTML for a Django template: safe because the engine escapes every
    value it writes (checked by `environment`). With the request (never for a fragment that is
    cached and served to others), the fragment has Django's `csrf_input` and `csrf_token`."""
    template = engines[ENGINE].get_template(template_name)
    context = {**context, VIEWER: viewer()}
    return mark_safe(template.render(context, request))  # noqa: S308
