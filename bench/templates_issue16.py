"""Template rendering (issue 16): the rows built in Python before issue 16 against the templates
that replaced them, and the template variants considered, rendered by Django's cached loader
(DEBUG off, as in production) with no database: the contacts list fragment with 50 rows and
the directory's results with 20 cards.

Not part of `make bench` (it needs the old tags, read from git at BEFORE). Run it with
`.venv/bin/python bench/templates_issue16.py`; variants are interleaved round by round so
that other load on the machine weighs on all of them alike, and medians are reported.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "0e1ab8a"  # the last commit with contacts_tags.py and directory_tags.py
WORK = Path(tempfile.mkdtemp(prefix="templates-issue16-"))


def _old(path: str) -> str:
    text = subprocess.check_output(["git", "-C", str(ROOT), "show", f"{BEFORE}:{path}"], text=True)
    # The helpers the old tags used are gone since: they are read from git too (oldrendering).
    return text.replace("networking_app.rendering", "oldrendering")


(WORK / "tpl" / "old").mkdir(parents=True)
(WORK / "oldtags").mkdir()
(WORK / "oldrendering.py").write_text(_old("networking_app/rendering.py"))
(WORK / "oldtags" / "__init__.py").write_text("")
(WORK / "oldtags" / "contacts_tags.py").write_text(_old("contacts/templatetags/contacts_tags.py"))
(WORK / "oldtags" / "directory_tags.py").write_text(
    _old("mentoring/templatetags/directory_tags.py")
)
(WORK / "oldtags" / "fast_forms.py").write_text(_old("networking_app/templatetags/fast_forms.py"))
(WORK / "tpl" / "old" / "contacts.html").write_text(
    _old("templates/contacts/_contact_results.html")
)
(WORK / "tpl" / "old" / "directory.html").write_text(
    _old("templates/mentoring/_directory_results.html")
)
(WORK / "settings_bench.py").write_text(
    f"""from networking_app.settings.test import *  # noqa
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], {str(WORK / "tpl")!r}]
TEMPLATES[0]["OPTIONS"]["libraries"] = {{
    **TEMPLATES[0]["OPTIONS"]["libraries"],
    "contacts_tags": "oldtags.contacts_tags",
    "directory_tags": "oldtags.directory_tags",
    "fast_forms": "oldtags.fast_forms",
}}
"""
)
sys.path[:0] = [str(ROOT), str(WORK)]
os.environ["DJANGO_SETTINGS_MODULE"] = "settings_bench"

import django  # noqa: E402

django.setup()

from django.core.paginator import Paginator  # noqa: E402
from django.template.loader import get_template  # noqa: E402
from django.utils import timezone  # noqa: E402
from oldrendering import day  # noqa: E402

from contacts.models import Contact, Organization, Relationship  # noqa: E402
from mentoring.forms.directory import DirectoryFilterForm  # noqa: E402
from mentoring.selectors.directory import DirectoryCard  # noqa: E402
from mentoring.services.availability import Slot  # noqa: E402
from networking_app.core.rendering import object_url  # noqa: E402


def _contacts() -> list[Contact]:
    relationships = [value for value, _ in Relationship.choices]
    contacts = []
    for i in range(50):
        contact = Contact(
            pk=1000 + i,
            name=f"Person {i} Example",
            title=f"Analyst {i}" if i % 3 else "",
            relationship=relationships[i % len(relationships)],
            last_interaction_on=dt.date(2026, 1, 1) + dt.timedelta(days=i) if i % 4 else None,
        )
        if i % 5:
            contact.organization = Organization(pk=i % 9 + 1, name=f"Organization {i % 9}")
        contact.tag_names = ["alumni", f"tag{i % 3}"] if i % 2 else []
        contact.losing_touch = i % 7 == 0
        contact.has_upcoming = i % 6 == 0
        # For the variant that computes the texts in the view.
        contact.url = object_url("contacts:detail", "contact_id", contact.pk)
        contact.last_text = day(contact.last_interaction_on) if i % 4 else ""
        contacts.append(contact)
    return contacts


def _cards() -> list[DirectoryCard]:
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    return [
        DirectoryCard(
            mentor_id=500 + i,
            name=f"Volunteer {i}",
            organization=f"Org {i}" if i % 4 else "",
            affiliation="Alumni",
            topics=["Careers", "Interviews"][: i % 3],
            title="Engineer" if i % 3 else "",
            industry="Software",
            job_function="Product" if i % 2 else "",
            location="Boston",
            class_year=2010 + i if i % 2 else None,
            next_slot=Slot(
                start_at=now + dt.timedelta(hours=30 * i),
                end_at=now + dt.timedelta(hours=30 * i, minutes=30),
            )
            if i % 5
            else None,
        )
        for i in range(20)
    ]


def variant(name: str, source: str, *replacements: tuple[str, str]) -> str:
    for old, new in replacements:
        assert old in source, old
        source = source.replace(old, new)
    (WORK / "tpl" / name).write_text(source)
    return name


def interleaved(cases: list[tuple[str, str]], context: dict, n: int = 30, rounds: int = 9):
    templates = [(label, get_template(name)) for label, name in cases]
    for _, template in templates:
        template.render(context)
    runs: dict[str, list[float]] = {label: [] for label, _ in templates}
    for _ in range(rounds):
        for label, template in templates:
            start = time.perf_counter()
            for _ in range(n):
                template.render(context)
            runs[label].append((time.perf_counter() - start) / n * 1e6)
    for label, times in runs.items():
        print(f"| {label} | {statistics.median(times):,.0f} | {min(times):,.0f} |", flush=True)


def main() -> None:
    contacts = _contacts()
    contacts_context = {
        "page": Paginator(contacts, 50).page(1),
        "contacts": contacts,
        "filtered": False,
        "has_contacts": True,
    }
    cards_context = {"cards": _cards(), "page": Paginator(list(range(20)), 20).page(1)}
    rows = (ROOT / "templates/contacts/_contact_results.html").read_text()
    results = (ROOT / "templates/mentoring/_directory_results.html").read_text()
    url = "{% object_url 'contacts:detail' contact_id=contact.pk %}"
    when = "{{ contact.last_interaction_on|when }}"
    iso = "{{ contact.last_interaction_on.isoformat }}"
    card_url = "{% object_url 'mentoring:mentor' mentor_id=card.mentor_id %}"
    print("| rendering | median µs/page | min µs/page |\n|---|---|---|")
    interleaved(
        [
            ("contacts, 50 rows: Python tag (before)", "old/contacts.html"),
            (
                "contacts, 50 rows: template, `{% url %}` and `|date` per row",
                variant(
                    "c_url.html",
                    rows,
                    (url, "{% url 'contacts:detail' contact_id=contact.pk %}"),
                    (when, "{{ contact.last_interaction_on|date }}"),
                    (iso, "{{ contact.last_interaction_on|date:'Y-m-d' }}"),
                ),
            ),
            (
                "contacts, 50 rows: template, `{% object_url %}`, `|date`",
                variant("c_date.html", rows, (when, "{{ contact.last_interaction_on|date }}")),
            ),
            (
                "contacts, 50 rows: template, `{% object_url %}`, `|when` (chosen)",
                variant("c_chosen.html", rows),
            ),
            (
                "contacts, 50 rows: template, URL and date text computed in the view",
                variant(
                    "c_view.html",
                    rows,
                    (url, "{{ contact.url }}"),
                    (when, "{{ contact.last_text }}"),
                ),
            ),
        ],
        contacts_context,
    )
    interleaved(
        [
            ("directory, 20 cards: Python tag (before)", "old/directory.html#results"),
            (
                "directory, 20 cards: template, `{% url %}` and `|date` per card",
                variant(
                    "d_url.html",
                    results,
                    (card_url, "{% url 'mentoring:mentor' mentor_id=card.mentor_id %}"),
                    ("|when:", "|date:"),
                )
                + "#results",
            ),
            (
                "directory, 20 cards: template, `{% object_url %}`, `|date`",
                variant("d_date.html", results, ("|when:", "|date:")) + "#results",
            ),
            (
                "directory, 20 cards: template, `{% object_url %}`, `|when` (chosen)",
                variant("d_chosen.html", results) + "#results",
            ),
        ],
        cards_context,
    )
    topics = [(f"topic-{i}", f"Topic {i}") for i in range(12)]
    form = DirectoryFilterForm(
        {"q": "product", "class_year": "2010", "topic": "topic-3", "has_slots": "1"},
        topic_choices=topics,
    )
    form_context = {"filter_form": form.for_display(form.valid_values())}
    fields = ["q", "organization", "industry", "job_function", "location", "class_year"]
    fields += ["topic", "has_slots"]
    interleaved(
        [
            (
                "directory filter form, 8 fields: `{% field_group %}` (before)",
                variant(
                    "f_old.html",
                    "{% load fast_forms %}"
                    + "".join(f"{{% field_group filter_form.{name} %}}" for name in fields),
                ),
            ),
            (
                "directory filter form, 8 fields: `as_field_group` (chosen)",
                variant(
                    "f_new.html",
                    "".join(f"{{{{ filter_form.{name}.as_field_group }}}}" for name in fields),
                ),
            ),
        ],
        form_context,
    )


if __name__ == "__main__":
    main()
