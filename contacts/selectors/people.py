"""Reads of a student's people: the contacts list (search, filters, sort), a contact's page and
timeline, target organizations, the pickers' choices and possible duplicates."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone

from contacts.models import (
    Contact,
    Conversation,
    ConversationStatus,
    Organization,
    Tag,
    TargetOrganization,
    normalize_organization_name,
)
from networking_app.core.prepared import PreparedQuery, attach, instance

S = ConversationStatus


def target_organizations(*, user) -> QuerySet[TargetOrganization]:
    contacts_there = Contact.objects.filter(owner=user, organization=OuterRef("organization"))
    return (
        TargetOrganization.objects.filter(owner=user)
        .select_related("organization")
        .annotate(has_contacts=Exists(contacts_there))
    )


# --- Contacts list -------------------------------------------------------------------------

SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "recent": ("-created_at", "-id"),
    "last_contact": (F("last_interaction_on").asc(nulls_first=True), "name", "id"),
    "organization": (F("organization__name").asc(nulls_last=True), "name", "id"),
}


# The columns of the contacts list (contacts_list); the due date needs the last three.
CONTACT_LIST_FIELDS = (
    "name",
    "title",
    "relationship",
    "organization__name",
    "last_interaction_on",
    "cadence_days",
    "created_at",
)


@dataclass
class ContactFilters:
    q: str = ""
    relationship: str = ""
    tag: str = ""
    organization: int | None = None
    targets_only: bool = False
    losing_touch: bool = False
    upcoming: bool = False
    sort: str = "name"
    extra: dict = field(default_factory=dict)


def search_terms(q: str) -> list[str]:
    return re.findall(r"\w+", q.lower())[:8]


# Words shorter than this are only matched as the start of a word, never as a look-alike.
TRIGRAM_MIN_LENGTH = 4
# A search that finds at least this many contacts as typed is not tried again with typos.
TYPO_TOLERANCE_BELOW = 5


def _prefix(term: str) -> SearchQuery:
    return SearchQuery(f"{term}:*", search_type="raw", config="simple")


def _search(queryset: QuerySet[Contact], q: str, *, tolerant: bool = False) -> QuerySet[Contact]:
    """Every word typed must start a word of the contact's name, organization, title,
    industry, tags, notes, email or of their conversations' notes and takeaways; when
    `tolerant`, a word of four letters or more may instead look like a word of the name or
    the organization ("Nortwind" finds Northwind)."""
    terms = search_terms(q)
    if not terms:
        return queryset
    if connection.vendor == "postgresql":
        # The same expression as the GIN index contacts_contact_search_gin (migrations).
        queryset = queryset.annotate(
            search=SearchVector("search_text", "conversation_text", config="simple")
        )
        if not tolerant:
            every = " & ".join(f"{term}:*" for term in terms)
            return queryset.filter(search=SearchQuery(every, search_type="raw", config="simple"))
        for term in terms:
            condition = Q(search=_prefix(term))
            if len(term) >= TRIGRAM_MIN_LENGTH:
                condition |= Q(name__trigram_strict_word_similar=term)
                condition |= Q(organization__name__trigram_strict_word_similar=term)
            queryset = queryset.filter(condition)
        return queryset
    # SQLite (local development): substring matching is enough.
    for term in terms:
        queryset = queryset.filter(
            Q(search_text__icontains=term) | Q(conversation_text__icontains=term)
        )
    return queryset


def may_tolerate_typos(q: str) -> bool:
    """Whether a search for `q` may be tried again tolerating typos (see contacts_list)."""
    long_words = any(len(term) >= TRIGRAM_MIN_LENGTH for term in search_terms(q))
    return long_words and connection.vendor == "postgresql"


def losing_touch_filter(today: dt.date) -> Q:
    """Cadence set and the cadence has passed since the last interaction (or since added)."""
    return Q(cadence_days__gt=0) & Q(stay_in_touch_due__lte=today)


class _PlusDays(Func):
    """A date plus a whole number of days, as a date (NULL days: NULL).

    One small expression rather than a CASE per cadence: the Today page and the losing-touch
    filter compile it on every request, and the CASE cost more to compile than to run.
    """

    arity = 2
    output_field = DateField()

    def as_postgresql(self, compiler, connection, **extra_context):
        # date + integer is a date in PostgreSQL.
        return self.as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" + ")

    def as_sqlite(self, compiler, connection, **extra_context):
        date_sql, date_params = compiler.compile(self.source_expressions[0])
        days_sql, days_params = compiler.compile(self.source_expressions[1])
        return f"date({date_sql}, '+' || {days_sql} || ' days')", (*date_params, *days_params)


def contacts_with_due_date(queryset: QuerySet[Contact]) -> QuerySet[Contact]:
    """Annotate `stay_in_touch_due`: the last interaction (or the day added) plus the cadence;
    None without a cadence."""
    base = Coalesce(F("last_interaction_on"), Cast(F("created_at"), DateField()))
    return queryset.annotate(stay_in_touch_due=_PlusDays(base, NullIf(F("cadence_days"), 0)))


def attach_organization(contact: Contact, name: str | None) -> None:
    """Set the organization of a contact read as a row (networking_app.core.prepared) from its
    name, as `select_related("organization")` would: no query when a template reads it."""
    organization = None
    if contact.organization_id is not None:
        organization = instance(Organization, id=contact.organization_id, name=name)
    attach([contact], organization=organization)


def contacts_list(*, user, filters: ContactFilters, tolerant: bool = False) -> QuerySet[Contact]:
    """The student's contacts matching `filters`, sorted (`tolerant`: see _search)."""
    return contacts_query(
        user_id=user.pk, filters=filters, tolerant=tolerant, now=timezone.now(), today=None
    )


def contacts_query(
    *,
    user_id: int,
    filters: ContactFilters,
    tolerant: bool,
    now: dt.datetime,
    today: dt.date | None,
) -> QuerySet[Contact]:
    """contacts_list with the clock given (`today` is read only to filter those losing touch):
    every value of its SQL comes from the arguments (contacts.selectors.contact_page compiles
    it once per process)."""
    # The owner narrows the subquery to the student's own conversations: without it PostgreSQL
    # hashes every scheduled conversation in the school.
    upcoming = Conversation.objects.filter(
        owner_id=user_id, contact=OuterRef("pk"), status=S.SCHEDULED, scheduled_at__gte=now
    )
    queryset = (
        Contact.objects.filter(owner_id=user_id)
        .select_related("organization")
        # What the list shows: not the notes, the search text or the other long columns.
        .only(*CONTACT_LIST_FIELDS)
        .annotate(has_upcoming=Exists(upcoming))
    )
    queryset = _search(queryset, filters.q, tolerant=tolerant)
    if filters.relationship:
        queryset = queryset.filter(relationship=filters.relationship)
    if filters.tag:
        tagged = Contact.tags.through.objects.filter(
            contact_id=OuterRef("pk"), tag__name=filters.tag.lower()
        )
        queryset = queryset.filter(Exists(tagged))
    if filters.organization:
        queryset = queryset.filter(organization_id=filters.organization)
    if filters.targets_only:
        targets = TargetOrganization.objects.filter(owner_id=user_id).values("organization_id")
        queryset = queryset.filter(organization_id__in=targets)
    if filters.losing_touch:
        # The list itself reads the due date from Contact.stay_in_touch_due_on.
        queryset = contacts_with_due_date(queryset).filter(
            losing_touch_filter(today or timezone.localdate())
        )
    if filters.upcoming:
        queryset = queryset.filter(has_upcoming=True)
    if filters.extra.get("batch"):
        # Contacts an import added, and those it merged rows into.
        from contacts.imports.models import ImportRow, RowOutcome

        merged = ImportRow.objects.filter(
            batch_id=filters.extra["batch"], outcome=RowOutcome.MERGED
        ).values("contact_id")
        queryset = queryset.filter(Q(import_batch_id=filters.extra["batch"]) | Q(pk__in=merged))
    return queryset.order_by(*SORTS.get(filters.sort, SORTS["name"]))


def contacts_matching(*, user, filters: ContactFilters) -> QuerySet[Contact]:
    """contacts_list, searched again tolerating typos in names and organizations when the
    words as typed find fewer than TYPO_TOLERANCE_BELOW contacts (one count more, only for
    a search with a long word, on PostgreSQL)."""
    contacts = contacts_list(user=user, filters=filters)
    if may_tolerate_typos(filters.q) and contacts.count() < TYPO_TOLERANCE_BELOW:
        return contacts_list(user=user, filters=filters, tolerant=True)
    return contacts


def attach_tag_names(contacts: list[Contact]) -> None:
    """Set `tag_names` (sorted) on each contact, with one query for the whole list: a
    prefetch of the tags costs more in Python than the list's own query."""
    names: dict[int, list[str]] = {contact.pk: [] for contact in contacts}
    rows = (
        Contact.tags.through.objects.filter(contact_id__in=list(names))
        .order_by("tag__name")
        .values_list("contact_id", "tag__name")
    )
    for contact_id, name in rows:
        names[contact_id].append(name)
    for contact in contacts:
        contact.tag_names = names[contact.pk]


def contact_history_counts(*, contact: Contact, exclude_referral_id: int | None = None) -> dict:
    """What hangs off a contact: shown before deleting it, and said after merging it."""
    referrals = contact.referrals.all()
    if exclude_referral_id is not None:
        referrals = referrals.exclude(pk=exclude_referral_id)
    return {
        "interactions": contact.interactions.count(),
        "conversations": contact.conversations.count(),
        "referrals": referrals.count(),
        "action_items": contact.action_items.count(),
    }


def contact_stats(*, user) -> dict[str, int]:
    return Contact.objects.filter(owner=user).aggregate(
        contacts=Count("id"), with_cadence=Count("id", filter=Q(cadence_days__gt=0))
    )


# --- The people pages: filter choices, pickers and duplicates ---------------------------------


def contacts_for_user(*, user) -> QuerySet[Contact]:
    """The student's contacts for pickers (referred by, merge), with their organization."""
    return Contact.objects.filter(owner=user).select_related("organization").order_by("name", "id")


def tags_for_user(*, user) -> QuerySet[Tag]:
    return Tag.objects.filter(owner=user).order_by("name")


def _tag_names(*, owner_id: int) -> QuerySet:
    return Tag.objects.filter(owner_id=owner_id).order_by("name").values_list("name")


# The contacts list's filter offers them on every page of it: compiled once per process.
_TAG_NAMES = PreparedQuery(_tag_names)


def tag_names_for_user(*, user) -> list[str]:
    """The student's tag names, in order."""
    return [name for (name,) in _TAG_NAMES.rows(owner_id=user.pk)]


def organizations_for_user(*, user) -> QuerySet[Organization]:
    """Organizations where the student has at least one contact."""
    used = Contact.objects.filter(owner=user, organization__isnull=False).values("organization_id")
    return Organization.objects.filter(pk__in=used).order_by("name")


def normalize_linkedin_url(url: str) -> str:
    """'https://www.LinkedIn.com/in/jane/' and 'http://linkedin.com/in/jane' are the same."""
    url = (url or "").strip().casefold()
    url = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url)
    url = url.removeprefix("www.")
    return url.rstrip("/")


def _normalize_person_name(name: str) -> str:
    return " ".join((name or "").split()).casefold()


def contact_possible_duplicates(
    *,
    user,
    email: str,
    linkedin_url: str,
    name: str,
    organization_name: str,
    exclude_id: int | None = None,
) -> list[Contact]:
    """The student's other contacts that may be the same person: same email (any case), same
    LinkedIn profile (scheme, www. and trailing slash ignored), or same name at the same
    organization (case and spacing ignored; no organization matches no organization)."""
    contacts = contacts_for_user(user=user)
    if exclude_id is not None:
        contacts = contacts.exclude(pk=exclude_id)
    found: dict[int, Contact] = {}

    email = (email or "").strip()
    if email:
        for contact in contacts.filter(email__iexact=email):
            found[contact.pk] = contact

    profile = normalize_linkedin_url(linkedin_url)
    if profile:
        # The database narrows by the end of the address; Python compares the whole of it.
        candidates = contacts.filter(
            Q(linkedin_url__iendswith=profile) | Q(linkedin_url__iendswith=profile + "/")
        )
        for contact in candidates:
            if normalize_linkedin_url(contact.linkedin_url) == profile:
                found[contact.pk] = contact

    wanted_name = _normalize_person_name(name)
    if wanted_name:
        organization = normalize_organization_name(organization_name or "")
        if organization:
            same_place = contacts.filter(organization__normalized_name=organization)
        else:
            same_place = contacts.filter(organization__isnull=True)
        first_word = wanted_name.split()[0]
        for contact in same_place.filter(name__icontains=first_word):
            if _normalize_person_name(contact.name) == wanted_name:
                found[contact.pk] = contact

    return sorted(found.values(), key=lambda c: (c.name.casefold(), c.pk))
