"""A small server-rendered chart renderer: grouped bars and lines as inline SVG.

No JavaScript and no style attributes (the Content Security Policy forbids them): colours come
from classes in static/css/console.css. Each chart is also a table (for screen readers, behind
a <details>) and a CSV file; `rows()` feeds both, so the three always show the same numbers.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

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
    # The SVG, legend and table once drawn: a cached chart (reports.dashboard_figures) is
    # not drawn again for every page.
    drawn: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def header(self) -> list[str]:
        return [self.category_label, *(s.name for s in self.series)]

    def rows(self) -> list[list]:
        return [
            [category, *(s.values[i] for s in self.series)]
            for i, category in enumerate(self.categories)
        ]

    @property
    def is_empty(self) -> bool:
        return not any(v for s in self.series for v in s.values)

    def _part(self, name: str, render) -> SafeString:
        if name not in self.drawn:
            self.drawn[name] = str(render(self))
        return mark_safe(self.drawn[name])  # noqa: S308 (the renderers escape every text)

    def svg(self) -> SafeString:
        return self._part("svg", render_svg)

    def legend(self) -> SafeString:
        return self._part("legend", render_legend)

    def table(self) -> SafeString:
        return self._part("table", render_table)

    def draw(self) -> None:
        """Draw the SVG, legend and table now, so that they are kept with the chart."""
        self.svg()
        self.legend()
        self.table()

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


def _text(x: float, y: float, content: str, *, css: str, anchor: str = "middle", rotate=False):
    transform = f' transform="rotate(-35 {x:.1f} {y:.1f})"' if rotate else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" class="{css}" text-anchor="{anchor}"{transform}>'
        f"{escape(content)}</text>"
    )


def render_svg(chart: Chart) -> SafeString:
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    values = [v for s in chart.series for v in s.values]
    whole = all(float(v).is_integer() for v in values)
    top, step = nice_ceiling(max(values, default=0), whole=whole)
    n = max(len(chart.categories), 1)
    title_id = f"chart-{escape(chart.key)}-title"
    desc_id = f"chart-{escape(chart.key)}-desc"
    parts = [
        f'<svg class="chart chart-{chart.kind}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{escape(chart.title)}</title>',
        f'<desc id="{desc_id}">{escape(chart.description or chart.title)}. '
        "The numbers are in the table below the chart.</desc>",
    ]

    def y_of(value: float) -> float:
        return MARGIN_TOP + plot_h - (value / top) * plot_h

    ticks = round(top / step)
    for i in range(ticks + 1):
        value = i * step
        y = y_of(value)
        parts.append(
            f'<line class="chart-grid" x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" '
            f'y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        parts.append(_text(MARGIN_LEFT - 6, y + 4, _number(value), css="chart-tick", anchor="end"))
    band = plot_w / n
    every = max(1, math.ceil(n / MAX_X_LABELS))
    longest = max((len(c) for c in chart.categories), default=0)
    # Labels lie flat when they fit under their bar; otherwise they are tilted.
    flat = longest * CHAR_WIDTH <= band * every - 4
    for i, category in enumerate(chart.categories):
        if i % every:
            continue
        x = MARGIN_LEFT + band * (i + 0.5)
        limit = max(8, int(band * every / CHAR_WIDTH)) if flat else 16
        label = category if len(category) <= limit else category[: limit - 1] + "…"
        if flat:
            parts.append(_text(x, MARGIN_TOP + plot_h + 16, label, css="chart-label"))
        else:
            parts.append(
                _text(
                    x + 4,
                    MARGIN_TOP + plot_h + 14,
                    label,
                    css="chart-label",
                    anchor="end",
                    rotate=True,
                )
            )
    parts.append(
        f'<line class="chart-axis" x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" '
        f'y1="{y_of(0):.1f}" y2="{y_of(0):.1f}"/>'
    )
    k = max(len(chart.series), 1)
    for s_index, series in enumerate(chart.series):
        css = f"chart-series-{s_index % 6}"
        if chart.kind == "line":
            points = [
                (MARGIN_LEFT + band * (i + 0.5), y_of(v)) for i, v in enumerate(series.values)
            ]
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline class="chart-line {css}" points="{path}"/>')
            if len(points) <= 62:
                for (x, y), category, v in zip(
                    points, chart.categories, series.values, strict=False
                ):
                    parts.append(
                        f'<circle class="chart-dot {css}" cx="{x:.1f}" cy="{y:.1f}" r="3">'
                        f"<title>{escape(series.name)}, {escape(category)}: "
                        f"{escape(_number(v))}</title></circle>"
                    )
        else:
            inner = band * 0.8
            bar_w = inner / k
            for i, (category, v) in enumerate(zip(chart.categories, series.values, strict=False)):
                x = MARGIN_LEFT + band * i + band * 0.1 + bar_w * s_index
                y = y_of(v)
                height = max(y_of(0) - y, 0)
                parts.append(
                    f'<rect class="chart-bar {css}" x="{x:.1f}" y="{y:.1f}" '
                    f'width="{max(bar_w - 1, 1):.1f}" height="{height:.1f}">'
                    f"<title>{escape(series.name)}, {escape(category)}: "
                    f"{escape(_number(v))}</title></rect>"
                )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every piece of text above is escaped)


def format_number(value) -> str:
    """A table cell: thousands separated, one decimal for fractions, a dash for None."""
    if value is None:
        return DASH
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return intcomma(int(value))


def render_legend(chart: Chart) -> SafeString:
    """The series' names next to their colours (the SVG's classes), when there are several."""
    if len(chart.series) <= 1:
        return mark_safe("")
    items = format_html_join(
        "",
        '<li><span class="chart-swatch chart-series-{}"></span>{}</li>',
        ((index, series.name) for index, series in enumerate(chart.series)),
    )
    return format_html('<ul class="chart-legend" aria-hidden="true">{}</ul>', items)


def render_table(chart: Chart) -> SafeString:
    """The chart's numbers as a table behind a <details>, for screen readers and for reading
    exact values; the same rows as the CSV."""
    head = format_html_join("", '<th scope="col">{}</th>', ((h,) for h in chart.header()))
    body = format_html_join(
        "\n",
        "<tr>{}{}</tr>",
        (
            (
                format_html('<th scope="row">{}</th>', row[0]),
                format_html_join("", "<td>{}</td>", ((format_number(c),) for c in row[1:])),
            )
            for row in chart.rows()
        ),
    )
    return format_html(
        '<details class="chart-table">\n'
        "<summary>Show the numbers as a table"
        '<span class="visually-hidden">: {}</span></summary>\n'
        "<table>\n"
        '<caption class="visually-hidden">{}</caption>\n'
        "<thead><tr>{}</tr></thead>\n"
        "<tbody>\n{}\n</tbody>\n"
        "</table>\n"
        "</details>",
        chart.title,
        chart.title,
        head,
        body,
    )


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
