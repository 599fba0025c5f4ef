"""The form renderer: Django's own form and widget templates, in their Jinja2 versions.

Django ships each form template twice, for its template engine and for Jinja2, with the same
markup; through Jinja2 a filter form renders in about 60% of the time (bench/RESULTS.md, "Form
rendering", bench/forms_issue16.py). A template that exists only for Django's engine (the
admin's widgets, another package's) is rendered by it, as with Django's default renderer."""

from __future__ import annotations

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FormRenderer(BaseRenderer):
    def __init__(self) -> None:
        self.jinja2 = Jinja2()
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
