"""The staff dashboard's seven charts through Django's template engine (the template as it was
before, read from git) and through Jinja2 (templates/jinja2/console/chart_figure.html, since
issue 16), from the same figures: the markup is checked equal (but for how quotes are escaped
and whitespace) in English and Spanish, then each is timed. A measurement only, not part of
`make bench`. It reads the figures of the load benchmark's dashboard database:

    cd bench && DJANGO_SETTINGS_MODULE=bench.loadsite.settings \\
        ../.venv/bin/python load_dashboard.py build rapport_charts
    .venv/bin/python bench/charts_issue16.py rapport_charts
"""

# ruff: noqa: E402

import os
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "bench"))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.loadsite.settings"
from common import setup_django

setup_django(sys.argv[1] if len(sys.argv) > 1 else "rapport_charts", fresh=False)
from django.template import engines
from django.test import RequestFactory
from django.utils import translation

from networking_app.console import views_dashboard
from networking_app.console.reports import dashboard_charts
from networking_app.console.templatetags.console_tags import chart_figure

BEFORE = "db3108f~1:templates/console/_chart_figure.html"
ROUNDS, EACH = 9, 20


def _normal(html: str) -> str:
    html = html.replace("&#x27;", "&#39;").replace("&quot;", "&#34;")
    return re.sub(r"\s+", " ", html).strip()


def main() -> None:
    source = subprocess.run(
        ["git", "show", BEFORE], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    django_template = engines["django"].from_string(source)
    form = views_dashboard._dashboard_form(RequestFactory().get("/staff/dashboard/"))
    filters = form.filters()
    figures = views_dashboard.stored_dashboard(filters) or views_dashboard.dashboard_from_rollup(
        filters
    )
    charts = list(dashboard_charts(figures).values())

    def with_django():
        return [
            django_template.render({"chart": c, "g": c.geometry, "url": "/x.csv"}) for c in charts
        ]

    def with_jinja2():
        return [str(chart_figure(c)) for c in charts]

    for language in ("en", "es"):
        with translation.override(language):
            before = [_normal(re.sub(r'href="[^"]*"', "", h)) for h in with_django()]
            after = [_normal(re.sub(r'href="[^"]*"', "", h)) for h in with_jinja2()]
            assert before == after, f"the markup differs ({language})"
    print(f"{len(charts)} charts, {sum(len(h) for h in with_jinja2()):,} characters; same markup")
    times = {"Django templates (before)": [], "Jinja2 (chosen)": []}
    for _ in range(ROUNDS):
        for name, render in (
            ("Django templates (before)", with_django),
            ("Jinja2 (chosen)", with_jinja2),
        ):
            started = time.perf_counter()
            for _ in range(EACH):
                render()
            times[name].append((time.perf_counter() - started) / EACH * 1e6)
    print("| the seven charts: engine | median µs | min µs |\n|---|---|---|")
    for name, samples in times.items():
        print(f"| {name} | {statistics.median(samples):,.0f} | {min(samples):,.0f} |")


if __name__ == "__main__":
    main()
