"""The form renderer: Django's own form and widget templates, in their Jinja2 versions.

Django ships each form template twice, for its template engine and for Jinja2, with the same
markup; through Jinja2 a filter form renders in about 60% of the time (bench/RESULTS.md, "Form
rendering", bench/forms_issue16.py). A template that exists only for Django's engine (the
admin's widgets, another package's) is rendered by it, as with Django's default renderer.
Four of the Jinja2 templates are ours (form_templates/): Django's, with what they include
written in place and a field's empty error list skipped: the directory's filter form of 8
fields renders 31 templates instead of 89."""

from __future__ import annotations

from pathlib import Path

import django.forms
from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist
from django.utils.functional import cached_property

# Four of Django's Jinja2 form templates, each with what it included written in place (the
# attributes, a select's options) and a field's empty error list skipped: the same markup
# with a few templates fewer per field, checked equal to Django's by tests/test_form_renderer.py.
OWN_TEMPLATES = Path(__file__).parent / "form_templates"


class _Jinja2(Jinja2):
    """Django's Jinja2 form renderer, finding our versions of its templates first."""

    @cached_property
    def engine(self):
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [OWN_TEMPLATES, Path(django.forms.__file__).parent / "jinja2"],
                "NAME": "djangoforms",
                "OPTIONS": {},
            }
        )


class FormRenderer(BaseRenderer):
    def __init__(self) -> None:
        self.jinja2 = _Jinja2()
        self.django = DjangoTemplates()
        # Which of the two has each template, once looked up (a miss costs a file search).
        self.engine_of: dict[str, BaseRenderer] = {}

    def get_template(self, template_name):
        renderer = self.engine_of.get(template_name)
        if renderer is not None:
            return renderer.get_template(template_name)
        try:
            template = self.jinja2.get_template(template_name)
            self.engine_of[template_name] = self.jinja2
        except TemplateDoesNotExist:
            template = self.django.get_template(template_name)
            self.engine_of[template_name] = self.django
        return template
