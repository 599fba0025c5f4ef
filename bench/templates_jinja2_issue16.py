"""Rows of the contacts list: Django's template engine against Jinja2 through Django's own
backend (issue 16: "measure the alternatives"), the same markup from the same objects, each
template compiled once. A measurement only: Jinja2 is not a dependency of the project, so
install it apart first (`pip install --target /tmp/j2 jinja2`, or JINJA2_PATH) and run
`.venv/bin/python bench/templates_jinja2_issue16.py`. Not part of `make bench`."""

# The templates are the rows of templates/contacts/_contact_results.html, kept on their lines.
# ruff: noqa: E402, E501

import datetime as dt
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.environ.get("JINJA2_PATH", "/tmp/j2")]
os.environ["DJANGO_SETTINGS_MODULE"] = "networking_app.settings.test"
import django

django.setup()
from django.template import engines
from django.template.backends.jinja2 import Jinja2

from contacts.models import Contact, Organization, Relationship
from networking_app.core.rendering import object_url
from networking_app.core.templatetags.rows import when

DTL = """{% load rows %}{% for contact in contacts %}
      <tr>
        <td><a href="{% object_url 'contacts:detail' contact_id=contact.pk %}">{{ contact.name }}</a></td>
        <td>{% if contact.organization_id %}{{ contact.organization.name }}{% endif %}</td>
        <td>{{ contact.title }}</td>
        <td>{{ contact.get_relationship_display }}</td>
        <td>{% for name in contact.tag_names %}{% if not forloop.first %} {% endif %}<span class="tag">{{ name }}</span>{% endfor %}</td>
        <td>{% if contact.last_interaction_on %}<time datetime="{{ contact.last_interaction_on.isoformat }}">{{ contact.last_interaction_on|when }}</time>{% else %}<span class="muted">Never</span>{% endif %}</td>
        <td>{% if contact.losing_touch %}<span class="badge badge-warning">Losing touch</span>{% endif %}{% if contact.losing_touch and contact.has_upcoming %} {% endif %}{% if contact.has_upcoming %}<span class="badge badge-info">Upcoming conversation</span>{% endif %}</td>
      </tr>
    {% endfor %}"""

JINJA = """{% for contact in contacts %}
      <tr>
        <td><a href="{{ object_url('contacts:detail', 'contact_id', contact.pk) }}">{{ contact.name }}</a></td>
        <td>{% if contact.organization_id %}{{ contact.organization.name }}{% endif %}</td>
        <td>{{ contact.title }}</td>
        <td>{{ contact.get_relationship_display() }}</td>
        <td>{% for name in contact.tag_names %}{% if not loop.first %} {% endif %}<span class="tag">{{ name }}</span>{% endfor %}</td>
        <td>{% if contact.last_interaction_on %}<time datetime="{{ contact.last_interaction_on.isoformat() }}">{{ when(contact.last_interaction_on) }}</time>{% else %}<span class="muted">Never</span>{% endif %}</td>
        <td>{% if contact.losing_touch %}<span class="badge badge-warning">Losing touch</span>{% endif %}{% if contact.losing_touch and contact.has_upcoming %} {% endif %}{% if contact.has_upcoming %}<span class="badge badge-info">Upcoming conversation</span>{% endif %}</td>
      </tr>
    {% endfor %}"""


def contacts():
    relationships = [value for value, _ in Relationship.choices]
    out = []
    for i in range(50):
        c = Contact(
            pk=1000 + i,
            name=f"Person {i} <Example>",
            title=f"Analyst {i}" if i % 3 else "",
            relationship=relationships[i % len(relationships)],
            last_interaction_on=dt.date(2026, 1, 1) + dt.timedelta(days=i) if i % 4 else None,
        )
        if i % 5:
            c.organization = Organization(pk=i % 9 + 1, name=f"Organization {i % 9}")
        c.tag_names = ["alumni", f"tag{i % 3}"] if i % 2 else []
        c.losing_touch = i % 7 == 0
        c.has_upcoming = i % 6 == 0
        out.append(c)
    return out


def environment(**options):
    from jinja2 import Environment

    env = Environment(**options)
    env.globals.update(object_url=object_url, when=when)
    return env


dtl = engines["django"].from_string(DTL)
jinja = Jinja2(
    {
        "NAME": "jinja2",
        "DIRS": [],
        "APP_DIRS": False,
        "OPTIONS": {"environment": f"{__name__}.environment", "autoescape": True},
    }
).from_string(JINJA)
ctx = {"contacts": contacts()}
a, b = dtl.render(ctx), jinja.render(ctx)


def norm(s):
    return " ".join(s.split())


assert norm(a) == norm(b), (norm(a)[:400], norm(b)[:400])
res = {"Django templates": [], "Jinja2 (Django backend)": []}
for _ in range(9):
    for label, t in (("Django templates", dtl), ("Jinja2 (Django backend)", jinja)):
        start = time.perf_counter()
        for _ in range(30):
            t.render(ctx)
        res[label].append((time.perf_counter() - start) / 30 * 1e6)
for label, runs in res.items():
    print(f"{label}: median {statistics.median(runs):,.0f} µs per 50 rows (min {min(runs):,.0f})")
