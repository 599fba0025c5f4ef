"""Server-rendered charts: grouped bars and lines as inline SVG.

Here only the numbers: where each grid line, label, bar, line and dot goes (`Chart.geometry`).
The markup is templates/jinja2/console/chart_figure.html. No JavaScript and no style attributes (the
Content Security Policy forbids them): colours come from classes in static/css/console.css.
Each chart is also a table (for screen readers, behind a <details>) and a CSV file; `rows()`
feeds both, so the three always show the same numbers.
"""

from __future__ import annotations

import csv
import functools
import io
import math
from dataclasses import dataclass, field

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import get_language

WIDTH = 720
HEIGHT = 300
MARGIN_LEFT = 96
MARGIN_RIGHT = 16
MARGIN_TOP = 16
MARGIN_BOTTOM = 72
CHAR_WIDTH = 7.5
MAX_X_LABELS = 14
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DASH = "\u2013"


@dataclass
class Series:
    name: str
    values: list[float]


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # "bar" or "line"
    category_label: str
    categories: list[str]
    series: list[Series] = field(default_factory=list)
    description: str = ""
    # The geometry once computed: a cached chart (reports.dashboard_figures) is not computed
    # again for every page.
    drawn: dict[str, Geometry] = field(default_factory=dict, repr=False, compare=False)

    def header(self) -> list[str]:
        return [self.category_label, *(s.name for s in self.series)]

    def rows(self) -> list[list]:
        return [
            [category, *(s.values[i] for s in self.series)]
            for i, category in enumerate(self.categories)
        ]

    def table_rows(self) -> list[tuple[str, list[str]]]:
        """The table under the chart: each category and its values as the table shows them."""
        return [(row[0], [format_number(value) for value in row[1:]]) for row in self.rows()]

    @property
    def is_empty(self) -> bool:
        return not any(v for s in self.series for v in s.values)

    @property
    def geometry(self) -> Geometry:
        if not isinstance(self.drawn.get("geometry"), Geometry):
            self.drawn["geometry"] = chart_geometry(self)
        return self.drawn["geometry"]

    def draw(self) -> None:
        """Compute the geometry now, so that it is kept with the chart."""
        self.geometry  # noqa: B018

    def csv(self) -> str:
        return chart_csv(self)


def nice_ceiling(value: float, *, whole: bool = True) -> tuple[float, float]:
    """A round axis maximum at or above `value` and its tick step (1, 2, 2.5 or 5 times a power
    of ten; never below 1 for counts, which are whole numbers)."""
    if value <= 0:
        return 1, 1
    rough = value / 4
    power = 10 ** math.floor(math.log10(rough))
    step = 10 * power
    for multiple in (1, 2, 2.5, 5, 10):
        if multiple * power >= rough:
            step = multiple * power
            break
    if whole:
        step = max(1, math.ceil(step))
    top = math.ceil(value / step) * step
    return top, step


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _at(value: float) -> str:
    """A coordinate as the SVG gets it: one decimal."""
    return f"{value:.1f}"


@dataclass
class Label:
    x: str
    y: str
    text: str
    css: str
    anchor: str = "middle"
    rotate: bool = False


@dataclass
class Mark:
    """A bar (x, y, width, height) or a dot (x, y) and its tooltip."""

    x: str
    y: str
    title: str
    width: str = ""
    height: str = ""


@dataclass
class Drawn:
    """One series: its colour class, a line's points, and its bars or dots."""

    name: str
    css: str
    points: str = ""
    marks: list[Mark] = field(default_factory=list)


@dataclass
class Geometry:
    title_id: str
    desc_id: str
    grid: list[tuple[str, Label]]  # each grid line's y and its tick label
    labels: list[Label]
    axis_y: str
    series: list[Drawn]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = MARGIN_LEFT
    right: int = WIDTH - MARGIN_RIGHT


def chart_geometry(chart: Chart) -> Geometry:
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    values = [v for s in chart.series for v in s.values]
    whole = all(float(v).is_integer() for v in values)
    top, step = nice_ceiling(max(values, default=0), whole=whole)
    n = max(len(chart.categories), 1)

    def y_of(value: float) -> float:
        return MARGIN_TOP + plot_h - (value / top) * plot_h

    grid = []
    for i in range(round(top / step) + 1):
        value = i * step
        y = y_of(value)
        tick = Label(_at(MARGIN_LEFT - 6), _at(y + 4), _number(value), "chart-tick", anchor="end")
        grid.append((_at(y), tick))
    band = plot_w / n
    every = max(1, math.ceil(n / MAX_X_LABELS))
    longest = max((len(c) for c in chart.categories), default=0)
    # Labels lie flat when they fit under their bar; otherwise they are tilted.
    flat = longest * CHAR_WIDTH <= band * every - 4
    labels = []
    for i, category in enumerate(chart.categories):
        if i % every:
            continue
        x = MARGIN_LEFT + band * (i + 0.5)
        limit = max(8, int(band * every / CHAR_WIDTH)) if flat else 16
        text = category if len(category) <= limit else category[: limit - 1] + "…"
        if flat:
            labels.append(Label(_at(x), _at(MARGIN_TOP + plot_h + 16), text, "chart-label"))
        else:
            labels.append(
                Label(
                    _at(x + 4),
                    _at(MARGIN_TOP + plot_h + 14),
                    text,
                    "chart-label",
                    anchor="end",
                    rotate=True,
                )
            )
    k = max(len(chart.series), 1)
    drawn = []
    for s_index, series in enumerate(chart.series):
        one = Drawn(name=series.name, css=f"chart-series-{s_index % 6}")
        if chart.kind == "line":
            points = [
                (MARGIN_LEFT + band * (i + 0.5), y_of(v)) for i, v in enumerate(series.values)
            ]
            one.points = " ".join(f"{_at(x)},{_at(y)}" for x, y in points)
            if len(points) <= 62:
                for (x, y), category, v in zip(
                    points, chart.categories, series.values, strict=False
                ):
                    title = f"{series.name}, {category}: {_number(v)}"
                    one.marks.append(Mark(_at(x), _at(y), title))
        else:
            bar_w = band * 0.8 / k
            for i, (category, v) in enumerate(zip(chart.categories, series.values, strict=False)):
                x = MARGIN_LEFT + band * i + band * 0.1 + bar_w * s_index
                y = y_of(v)
                one.marks.append(
                    Mark(
                        _at(x),
                        _at(y),
                        f"{series.name}, {category}: {_number(v)}",
                        width=_at(max(bar_w - 1, 1)),
                        height=_at(max(y_of(0) - y, 0)),
                    )
                )
        drawn.append(one)
    return Geometry(
        title_id=f"chart-{chart.key}-title",
        desc_id=f"chart-{chart.key}-desc",
        grid=grid,
        labels=labels,
        axis_y=_at(y_of(0)),
        series=drawn,
    )


def format_number(value) -> str:
    """A table cell: thousands separated, one decimal for fractions, a dash for None."""
    if value is None:
        return DASH
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return _grouped(int(value), get_language())


@functools.lru_cache(maxsize=4096)
def _grouped(value: int, language: str | None) -> str:
    # The same small counts recur in every table; the separator follows the language.
    return intcomma(value)


def neutralise(cell) -> object:
    """Spreadsheets run cells that start with = + - @ (or a tab or CR) as formulas: such text
    gets a leading apostrophe. Numbers are written as they are."""
    if isinstance(cell, bool) or cell is None:
        return "" if cell is None else str(cell)
    if isinstance(cell, int | float):
        return cell
    text = str(cell)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_text(header: list, rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(c) for c in header])
    for row in rows:
        writer.writerow([neutralise(c) for c in row])
    return buffer.getvalue()


def chart_csv(chart: Chart) -> str:
    return csv_text(chart.header(), chart.rows())
