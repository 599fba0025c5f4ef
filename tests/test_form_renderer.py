"""The form renderer (networking_app.core.forms_renderer): Django's Jinja2 form templates, and
Django's engine for a template only it has (the admin's widgets)."""

from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.forms.renderers import get_default_renderer
from django.template.backends.django import Template as DjangoTemplate
from django.template.backends.jinja2 import Template as Jinja2Template

from networking_app.core.forms_renderer import FormRenderer


class _Form(forms.Form):
    name = forms.CharField(label="Name", help_text="As you sign your emails.")
    when = forms.DateField(widget=AdminDateWidget)


def test_the_project_renders_forms_with_it():
    assert isinstance(get_default_renderer(), FormRenderer)


def test_fields_come_from_djangos_jinja2_templates_with_values_escaped():
    renderer = FormRenderer()
    assert isinstance(renderer.get_template("django/forms/field.html"), Jinja2Template)
    html = _Form({"name": 'say "hi" <b>'}, renderer=renderer)["name"].as_field_group()
    assert '<label for="id_name">Name:</label>' in html
    assert 'value="say &#34;hi&#34; &lt;b&gt;"' in html
    assert 'aria-describedby="id_name_helptext"' in html
    assert "<b>" not in html


def test_a_template_only_djangos_engine_has_is_rendered_by_it():
    renderer = FormRenderer()
    html = str(_Form(renderer=renderer)["when"])
    assert 'class="vDateField"' in html
    assert isinstance(renderer.get_template("admin/widgets/date.html"), DjangoTemplate)
    # Looked up once: the next time goes straight to Django's engine.
    assert renderer.engine_of["admin/widgets/date.html"] is renderer.django
