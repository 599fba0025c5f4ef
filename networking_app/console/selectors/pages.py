"""The dashboard of each preset period for every student, computed whole by each refresh.

Most visits to the dashboard are for the default view or another preset period without a
cohort. Summing the figures for those again on every visit would make the busiest page the
slowest (bench/RESULTS.md: the distinct-student counts alone take most of a page), so each
refresh (networking_app/console/rollup.py) also computes these few Dashboards, in the
transaction that replaces the figures, and stores them as JSON (FiguresPage). A page reads one
row; any other choice of filters is summed from the figures as before. A stored dashboard is
as of the refresh, its live sections (volunteers, match rounds, events) included: the page
says when its figures were computed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import types
import typing

from networking_app.console.models import FiguresPage
from networking_app.console.selectors.filters import (
    PRESET_PERIODS,
    Dashboard,
    DashboardFilters,
    preset_range,
)
from networking_app.console.selectors.rollup import dashboard_from_rollup


def page_key(filters: DashboardFilters) -> str:
    return "|".join(
        str(part or "")
        for part in (
            filters.start,
            filters.end,
            filters.class_year,
            filters.major,
            filters.label_id,
        )
    )


def stored_filters(today: dt.date) -> list[DashboardFilters]:
    """The filters whose dashboards a refresh on `today` stores: each preset period."""
    periods = {preset_range(preset, today) for preset in PRESET_PERIODS}
    return [DashboardFilters(start=start, end=end) for start, end in sorted(periods)]


def store_pages(today: dt.date, *, compute: bool = True) -> None:
    """Replace the stored dashboards with those of `today`'s preset periods (none when not
    `compute`). Called by the refresh, in its transaction, after the figures are replaced."""
    FiguresPage.objects.all().delete()
    if compute:
        FiguresPage.objects.bulk_create(
            FiguresPage(filters=page_key(filters), dashboard=_plain(dashboard_from_rollup(filters)))
            for filters in stored_filters(today)
        )


def stored_dashboard(filters: DashboardFilters) -> Dashboard | None:
    """The dashboard the last refresh stored for exactly these filters, or None."""
    data = (
        FiguresPage.objects.filter(filters=page_key(filters))
        .values_list("dashboard", flat=True)
        .first()
    )
    if data is None:
        return None
    try:
        return _revive(Dashboard, data)
    except (KeyError, TypeError, ValueError):  # stored by an older version of the code
        return None


def _plain(value):
    """`value` (a Dashboard, its dataclasses, dicts, lists, dates) as JSON values."""
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dt.date):  # a datetime too
        return value.isoformat()
    return value


@functools.cache
def _field_hints(cls) -> tuple[tuple[str, object], ...]:
    hints = typing.get_type_hints(cls)
    return tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))


def _revive(cls, data: dict):
    """The dataclass `cls` from _plain's values, read back by the fields' type hints."""
    return cls(**{name: _typed(hint, data[name]) for name, hint in _field_hints(cls)})


def _typed(hint, value):
    if value is None:
        return None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        return _typed(next(arg for arg in args if arg is not type(None)), value)
    if origin is list:
        return [_typed(args[0], item) for item in value]
    if origin is tuple:
        return tuple(_typed(arg, item) for arg, item in zip(args, value, strict=True))
    if dataclasses.is_dataclass(hint):
        return _revive(hint, value)
    if hint is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if hint is dt.date:
        return dt.date.fromisoformat(value)
    return value
