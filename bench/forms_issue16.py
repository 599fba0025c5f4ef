"""The filter forms of the list pages through Django's two form renderers: its template engine
(`DjangoTemplates`, the default) and its Jinja2 versions of the same templates
(`networking_app.core.forms_renderer.FormRenderer`, FORM_RENDERER since issue 16), the same
markup from the same bound forms. A measurement only, from objects in memory (no queries):
`.venv/bin/python bench/forms_issue16.py`. Not part of `make bench`."""

# ruff: noqa: E402

import os
import re
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ["DJANGO_SETTINGS_MODULE"] = "networking_app.settings.test"
import django

django.setup()
from django.forms.renderers import DjangoTemplates
from django.http import QueryDict

from events.forms import CalendarFilterForm
from mentoring.forms.directory import DirectoryFilterForm
from networking_app.core.forms_renderer import FormRenderer

TOPICS = [(f"topic-{i}", f"Topic {i}") for i in range(12)]
ROUNDS, EACH = 9, 30


def directory(renderer):
    form = DirectoryFilterForm(
        QueryDict("q=product&topic=topic-3&has_slots=1"), topic_choices=TOPICS, renderer=renderer
    )
    shown = form.for_display(form.valid_values())
    shown.renderer = renderer
    return "".join(shown[name].as_field_group() for name in shown.fields)


def calendar(renderer):
    form = CalendarFilterForm(QueryDict("kind=career_fair"), renderer=renderer)
    industries = [(i, f"Industry {i}") for i in range(15)]
    form._choices = (industries, [(i, f"Org {i}") for i in range(40)])
    return "".join(form[name].as_field_group() for name in form.fields)


def normal(html: str) -> str:
    html = html.replace("&#34;", "&quot;").replace("&#39;", "&#x27;")
    return re.sub(r"\s*(<|>)\s*", r"\1", re.sub(r"\s+", " ", html)).strip()


def main() -> None:
    renderers = {"Django templates": DjangoTemplates(), "Jinja2 (chosen)": FormRenderer()}
    for name, render in (("directory, 8 fields", directory), ("calendar, 3 fields", calendar)):
        outputs = {label: normal(render(r)) for label, r in renderers.items()}
        assert len(set(outputs.values())) == 1, f"{name}: the markup differs"
        timings = {label: [] for label in renderers}
        for _ in range(ROUNDS):
            for label, renderer in renderers.items():
                start = time.perf_counter()
                for _ in range(EACH):
                    render(renderer)
                timings[label].append((time.perf_counter() - start) / EACH * 1e6)
        for label, samples in timings.items():
            print(f"| {name}: {label} | {statistics.median(samples):,.0f} | {min(samples):,.0f} |")


if __name__ == "__main__":
    main()
