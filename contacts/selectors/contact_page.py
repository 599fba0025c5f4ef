"""The first page of the contacts list in one query compiled once per process: the page every
visit to the list opens on.

`contacts_list` through the paginator costs three queries (the page, how many match, the
page's tag names), each built and compiled by the ORM on every request, which took longer than
PostgreSQL took to run them. Here the page, the number of matches (a window count) and each
contact's tag names (an array subquery) come in one row set, from a PreparedQuery
(networking_app.core.prepared). A search is left to `contacts_matching`: its words are made
into the SQL's text (prefixes, look-alikes), not passed as values; so are later pages (their
offset is part of the SQL) and SQLite (no array subquery).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.postgres.expressions import ArraySubquery
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Count, OuterRef, QuerySet, Window
from django.utils import timezone

from contacts.models import Contact
from contacts.selectors.people import ContactFilters, attach_organization, contacts_query
from networking_app.core.prepared import PreparedQuery, model_columns

_COLUMNS = model_columns(
    Contact,
    (
        "id",
        "name",
        "title",
        "relationship",
        "organization_id",
        "last_interaction_on",
        "cadence_days",
        "created_at",
    ),
)


def _first_page(
    sort: str,
    by_relationship: bool,
    by_tag: bool,
    by_organization: bool,
    targets_only: bool,
    losing_touch: bool,
    upcoming: bool,
    by_batch: bool,
    per_page: int,
    *,
    user_id: int,
    now: dt.datetime,
    today: dt.date | None = None,
    relationship: str = "",
    tag: str = "",
    organization: int | None = None,
    batch: int | None = None,
) -> QuerySet:
    filters = ContactFilters(
        relationship=relationship if by_relationship else "",
        tag=tag if by_tag else "",
        organization=organization if by_organization else None,
        targets_only=targets_only,
        losing_touch=losing_touch,
        upcoming=upcoming,
        sort=sort,
        extra={"batch": batch} if by_batch else {},
    )
    tag_names = Contact.tags.through.objects.filter(contact_id=OuterRef("pk")).order_by("tag__name")
    queryset = contacts_query(
        user_id=user_id, filters=filters, tolerant=False, now=now, today=today
    ).annotate(
        matching=Window(Count("id")),
        tag_names=ArraySubquery(tag_names.values("tag__name")),
    )
    return queryset.values_list(
        *_COLUMNS, "organization__name", "has_upcoming", "tag_names", "matching"
    )[:per_page]


_FIRST_PAGE = PreparedQuery(_first_page)


def contacts_first_page(
    *, user, filters: ContactFilters, per_page: int
) -> tuple[list[Contact], int] | None:
    """The first `per_page` contacts of `contacts_list` (with `has_upcoming` and
    `tag_names`) and how many match, in one query; None for a search or on SQLite (use
    contacts_matching and attach_tag_names)."""
    if filters.q or connection.vendor != "postgresql":
        return None
    batch = filters.extra.get("batch")
    shape = (
        filters.sort,
        bool(filters.relationship),
        bool(filters.tag),
        bool(filters.organization),
        filters.targets_only,
        filters.losing_touch,
        filters.upcoming,
        bool(batch),
        per_page,
    )
    values: dict = {"user_id": user.pk, "now": timezone.now()}
    if filters.losing_touch:
        values["today"] = timezone.localdate()
    if filters.relationship:
        values["relationship"] = filters.relationship
    if filters.tag:
        values["tag"] = filters.tag.lower()
    if filters.organization:
        values["organization"] = filters.organization
    if batch:
        values["batch"] = batch
    rows = _FIRST_PAGE.rows(shape, **values)
    width = len(_COLUMNS)
    contacts = []
    for row in rows:
        contact = Contact.from_db(DEFAULT_DB_ALIAS, _COLUMNS, row[:width])
        organization_name, has_upcoming, tag_names, _ = row[width:]
        attach_organization(contact, organization_name)
        contact.has_upcoming = has_upcoming
        contact.tag_names = list(tag_names)
        contacts.append(contact)
    return contacts, rows[0][-1] if rows else 0
