"""The people side of a student's private area: contacts, interactions, merges, targets."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from contacts import merging, selectors, services
from contacts.forms.people import (
    ContactFilterForm,
    ContactForm,
    InteractionForm,
    MergePickForm,
    TargetAddForm,
    TargetEditForm,
)
from contacts.imports import selectors as import_selectors
from contacts.models import Contact, Relationship
from contacts.views import reminders as reminder_views
from networking_app.accounts.decorators import network_required
from networking_app.core.cache import cache_key, cached, person, viewer_parts
from networking_app.core.form_errors import add_service_errors
from networking_app.core.fragments import wants_fragment

CONTACTS_PER_PAGE = 50
# What the duplicate warning compares.
IDENTITY_FIELDS = {"name", "email", "linkedin_url", "organization_name"}


# --- Contacts list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactListParts:
    """The contacts list's search form and results, as rendered (SafeStrings, which stay safe
    through the cache)."""

    filters: SafeString
    results: SafeString


@network_required
def contact_list(request):
    """The student's contacts, filtered and paged. The search form and the results, rendered,
    are cached for each query string under the student's version (networking_app.core.cache),
    which contacts' services raise: the first page after any change to their contacts
    recomputes. Neither holds a per-request token (a GET form)."""
    user = request.user
    # The whole query string: the form shows it and the pagination links repeat it.
    parts = cached(
        cache_key("contact-list-page", user.pk, sorted(request.GET.lists()), *viewer_parts()),
        lambda: _contact_list_parts(request),
        timeout=settings.PRIVATE_PAGE_CACHE_SECONDS,
        scopes=[person(user.pk)],
    )
    if wants_fragment(request):
        response = HttpResponse(parts.results)
    else:
        context = {"filters_html": parts.filters, "results_html": parts.results}
        response = render(request, "contacts/contact_list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _contact_list_parts(request) -> ContactListParts:
    user = request.user
    tag_choices = cached(
        cache_key("contact-tag-choices", user.pk),
        lambda: ContactFilterForm.tag_choices_for(user),
        timeout=settings.PRIVATE_PAGE_CACHE_SECONDS,
        scopes=[person(user.pk)],
    )
    filter_form = ContactFilterForm(request.GET, user=user, tag_choices=tag_choices)
    values = filter_form.valid_values()
    batch = None
    if request.GET.get("batch"):
        batch = import_selectors.batch_for_contact_filter(user=user, value=request.GET["batch"])
    filtered = any(name != "sort" for name in values) or batch is not None

    filters = ContactFilterForm.to_filters(values)
    if batch is not None:
        filters.extra["batch"] = batch.pk
    first = None
    if request.GET.get("page", "1") == "1":
        first = selectors.contacts_first_page(
            user=user, filters=filters, per_page=CONTACTS_PER_PAGE
        )
    if first is not None:  # in one query (contacts.selectors.contact_page)
        rows, matching = first
        page = Page(rows, 1, Paginator(range(matching), CONTACTS_PER_PAGE))
    else:
        contacts = selectors.contacts_matching(user=user, filters=filters)
        page = Paginator(contacts, CONTACTS_PER_PAGE).get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
        selectors.attach_tag_names(page.object_list)
    today = timezone.localdate()
    for contact in page.object_list:
        due = contact.stay_in_touch_due_on
        contact.losing_touch = due is not None and due <= today
    results_context = {
        "page": page,
        "contacts": page.object_list,
        "filtered": filtered,
        # Only asked when nothing matched: tells "no contacts yet" from "no match".
        "has_contacts": bool(page.object_list) or selectors.contacts_for_user(user=user).exists(),
        # Translated once for the page: a row's get_relationship_display() translates every
        # choice again (Django hashes the lazy labels), some ten lookups a row.
        "relationship_labels": {value: str(label) for value, label in Relationship.choices},
    }
    results = render_to_string("contacts/_contact_results.html", results_context, request)

    without_organization = request.GET.copy()
    for name in ("organization", "page"):
        without_organization.pop(name, None)
    without_batch = request.GET.copy()
    for name in ("batch", "page"):
        without_batch.pop(name, None)
    filters_context = {
        "filter_form": filter_form.for_display(values),
        "selected_organization": values.get("organization"),
        "clear_organization_query": without_organization.urlencode(),
        "selected_batch": batch,
        "clear_batch_query": without_batch.urlencode(),
    }
    filters_html = render_to_string("contacts/contact_list.html#filters", filters_context)
    return ContactListParts(filters=filters_html, results=results)


# --- Contact create and edit -----------------------------------------------------------------


def _possible_duplicates(user, form: ContactForm, exclude_id: int | None = None) -> list[Contact]:
    data = form.cleaned_data
    return selectors.contact_possible_duplicates(
        user=user,
        email=data["email"],
        linkedin_url=data["linkedin_url"],
        name=data["name"],
        organization_name=data["organization_name"],
        exclude_id=exclude_id,
    )


def _merge_target(request, duplicates: list[Contact]) -> Contact | None:
    """The duplicate the student chose to merge with ("Save, then merge"), if any."""
    chosen = request.POST.get("merge_with", "")
    return next((c for c in duplicates if str(c.pk) == chosen), None)


def _after_save(request, contact: Contact, merge_with: Contact | None, *, added: bool):
    if added:
        saved = _("%(name)s is added.") % {"name": contact.name}
    else:
        saved = _("%(name)s is saved.") % {"name": contact.name}
    if merge_with is not None:
        messages.success(
            request,
            _("%(saved)s Check what merging %(other)s into this contact will do, then confirm.")
            % {"saved": saved, "other": merge_with.name},
        )
        url = reverse("contacts:merge", kwargs={"contact_id": contact.pk})
        return redirect(f"{url}?other={merge_with.pk}")
    messages.success(request, saved)
    return redirect("contacts:detail", contact_id=contact.pk)


def _contact_form_page(request, form, contact, duplicates):
    context = {
        "form": form,
        "contact": contact,
        "duplicates": duplicates,
        "heading": _("Edit %(name)s") % {"name": contact.name} if contact else _("Add a contact"),
    }
    return render(request, "contacts/contact_form.html", context)


@network_required
def contact_create(request):
    data = request.POST if request.method == "POST" else None
    form = ContactForm(data, user=request.user)
    duplicates: list[Contact] = []
    if form.is_bound and form.is_valid():
        duplicates = _possible_duplicates(request.user, form)
        merge_with = _merge_target(request, duplicates)
        if not duplicates or form.cleaned_data["save_anyway"] or merge_with:
            try:
                contact = services.contact_create(owner=request.user, **form.service_kwargs())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return _after_save(request, contact, merge_with, added=True)
    return _contact_form_page(request, form, None, duplicates)


@network_required
def contact_edit(request, contact_id: int):
    contact = selectors.contact_get_for_user(user=request.user, contact_id=contact_id)
    data = request.POST if request.method == "POST" else None
    form = ContactForm(data, user=request.user, contact=contact)
    duplicates: list[Contact] = []
    if form.is_bound and form.is_valid():
        # Only when who they are changes: a twin saved anyway is not flagged at every edit.
        if IDENTITY_FIELDS & set(form.changed_data):
            duplicates = _possible_duplicates(request.user, form, exclude_id=contact.pk)
        merge_with = _merge_target(request, duplicates)
        if not duplicates or form.cleaned_data["save_anyway"] or merge_with:
            try:
                services.contact_update(contact=contact, **form.service_kwargs())
            except ValidationError as error:
                add_service_errors(form, error)
                # The service set the typed values on the instance before refusing them.
                contact = selectors.contact_get_for_user(user=request.user, contact_id=contact_id)
            else:
                return _after_save(request, contact, merge_with, added=False)
    return _contact_form_page(request, form, contact, duplicates)


# --- Contact detail, interactions, delete ----------------------------------------------------


def _detail_page(request, contact: Contact, interaction_form: InteractionForm, reminder_form=None):
    due = contact.stay_in_touch_due_on
    detail = selectors.contact_detail(contact=contact)
    conversations = [i["object"] for i in detail["timeline"] if i["kind"] == "conversation"]
    context = {
        "contact": contact,
        "interaction_form": interaction_form,
        "due_on": due,
        "overdue": due is not None and due <= timezone.localdate(),
        "latest_conversation": max(conversations, key=lambda c: c.created_at, default=None),
        **reminder_views.card_context(contact=contact, form=reminder_form),
        **detail,
    }
    return render(request, "contacts/contact_detail.html", context)


@network_required
def contact_detail(request, contact_id: int):
    contact = selectors.contact_get_for_user(user=request.user, contact_id=contact_id)
    return _detail_page(request, contact, InteractionForm())


@require_POST
@network_required
def interaction_add(request, contact_id: int):
    contact = selectors.contact_get_for_user(user=request.user, contact_id=contact_id)
    form = InteractionForm(request.POST)
    if form.is_valid():
        try:
            interaction = services.interaction_log(contact=contact, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            when = date_format(interaction.occurred_on, "DATE_FORMAT")
            messages.success(
                request,
                _("Logged: %(kind)s on %(date)s.")
                % {"kind": interaction.get_kind_display(), "date": when},
            )
            return redirect(reverse("contacts:detail", args=[contact.pk]) + "#timeline")
    return _detail_page(request, contact, form)


@require_POST
@network_required
def interaction_delete(request, interaction_id: int):
    interaction = selectors.interaction_get_for_user(
        user=request.user, interaction_id=interaction_id
    )
    contact = interaction.contact
    services.interaction_delete(interaction=interaction)
    messages.success(
        request, _("The interaction with %(name)s is deleted.") % {"name": contact.name}
    )
    return redirect(reverse("contacts:detail", args=[contact.pk]) + "#timeline")


@network_required
def contact_delete(request, contact_id: int):
    contact = selectors.contact_get_for_user(user=request.user, contact_id=contact_id)
    if request.method == "POST":
        name = contact.name
        services.contact_delete(contact=contact)
        messages.success(
            request,
            _("%(name)s is deleted, with their interactions and conversations.") % {"name": name},
        )
        return redirect("contacts:list")
    context = {"contact": contact, "counts": selectors.contact_history_counts(contact=contact)}
    return render(request, "contacts/contact_confirm_delete.html", context)


# --- Merge -----------------------------------------------------------------------------------


@network_required
def contact_merge(request, contact_id: int):
    keep = selectors.contact_get_for_user(user=request.user, contact_id=contact_id)
    if request.method == "POST":
        form = MergePickForm(request.POST, user=request.user, keep=keep)
    elif "other" in request.GET:
        form = MergePickForm(request.GET, user=request.user, keep=keep)
    else:
        form = MergePickForm(user=request.user, keep=keep)
    other = form.cleaned_data["other"] if form.is_bound and form.is_valid() else None
    if request.method == "POST" and other is not None:
        counts = selectors.contact_history_counts(contact=other, exclude_referral_id=keep.pk)
        try:
            services.contact_merge(keep=keep, remove=other)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            moved = ", ".join(
                [
                    ngettext(
                        "%(count)s interaction", "%(count)s interactions", counts["interactions"]
                    )
                    % {"count": counts["interactions"]},
                    ngettext(
                        "%(count)s conversation", "%(count)s conversations", counts["conversations"]
                    )
                    % {"count": counts["conversations"]},
                    ngettext("%(count)s referral", "%(count)s referrals", counts["referrals"])
                    % {"count": counts["referrals"]},
                    ngettext(
                        "%(count)s action item", "%(count)s action items", counts["action_items"]
                    )
                    % {"count": counts["action_items"]},
                ]
            )
            messages.success(
                request,
                _("%(other)s is merged into %(keep)s. Moved: %(moved)s.")
                % {"other": other.name, "keep": keep.name, "moved": moved},
            )
            return redirect("contacts:detail", contact_id=keep.pk)
    context = {
        "contact": keep,
        "other": other,
        "form": form,
        "preview": merging.contact_merge_preview(keep=keep, other=other) if other else [],
        "keep_counts": selectors.contact_history_counts(contact=keep) if other else None,
        "other_counts": (
            selectors.contact_history_counts(contact=other, exclude_referral_id=keep.pk)
            if other
            else None
        ),
    }
    return render(request, "contacts/contact_merge.html", context)


# --- Target organizations --------------------------------------------------------------------


@network_required
def target_list(request):
    data = request.POST if request.method == "POST" else None
    form = TargetAddForm(data)
    if form.is_bound and form.is_valid():
        try:
            target = services.target_organization_add(owner=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(organization)s is one of your targets.")
                % {"organization": target.organization.name},
            )
            return redirect("contacts:targets")
    context = {
        "form": form,
        "targets": list(selectors.target_organizations(user=request.user)),
        "preparation": getattr(request.user, "student_profile", None),
    }
    return render(request, "contacts/target_list.html", context)


@network_required
def target_edit(request, target_id: int):
    target = selectors.target_get_for_user(user=request.user, target_id=target_id)
    if request.method == "POST":
        form = TargetEditForm(request.POST)
        if form.is_valid():
            try:
                services.target_organization_update(target=target, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(organization)s is saved.") % {"organization": target.organization.name},
                )
                return redirect("contacts:targets")
    else:
        form = TargetEditForm(initial={"priority": target.priority, "notes": target.notes})
    return render(request, "contacts/target_form.html", {"form": form, "target": target})


@require_POST
@network_required
def target_delete(request, target_id: int):
    target = selectors.target_get_for_user(user=request.user, target_id=target_id)
    name = target.organization.name
    services.target_organization_delete(target=target)
    messages.success(
        request, _("%(organization)s is no longer one of your targets.") % {"organization": name}
    )
    return redirect("contacts:targets")
