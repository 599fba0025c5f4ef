"""Drafts from templates (intro, follow-up, thank-you, stay in touch), the student's own
templates, and the outcomes they record."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts import drafts, selectors, services
from contacts.forms.pipeline import (
    EmailTemplateForm,
    OutcomeForm,
)
from contacts.models import Conversation, ConversationStatus, DraftKind
from contacts.views.pipeline import conversation_url
from networking_app.accounts.decorators import network_required
from networking_app.core.form_errors import NOT_SAVED, add_service_errors, error_text

S = ConversationStatus


# --- Drafts and templates -------------------------------------------------------------------


def _draft_kind(kind: str) -> DraftKind:
    if kind not in DraftKind.values:
        raise Http404
    return DraftKind(kind)


def _int_or_404(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _draft_objects(request, contact, data):
    """The conversation (about this contact) and outcome a draft is about, if any."""
    conversation = outcome = None
    if data.get("conversation"):
        conversation = selectors.conversation_get_for_user(
            user=request.user, conversation_id=_int_or_404(data["conversation"])
        )
        if conversation.contact_id != contact.pk:
            raise Http404
    if data.get("outcome"):
        outcome = selectors.outcome_get_for_user(
            user=request.user, outcome_id=_int_or_404(data["outcome"])
        )
    return conversation, outcome


def _draft_url(contact_id: int, kind: str, conversation=None, outcome=None) -> str:
    url = reverse("contacts:draft", kwargs={"contact_id": contact_id, "kind": kind})
    query = {}
    if conversation is not None:
        query["conversation"] = conversation.pk
    if outcome is not None:
        query["outcome"] = outcome.pk
    return f"{url}?{urlencode(query)}" if query else url


def _draft_moves_pipeline(kind: str, conversation: Conversation | None) -> bool:
    if conversation is None:
        return False
    if kind == DraftKind.INTRO:
        return conversation.status in (S.PLANNED, S.NO_RESPONSE)
    return kind == DraftKind.THANK_YOU and conversation.status == S.HELD


@network_required
def draft(request, contact_id: int, kind: str):
    kind = _draft_kind(kind)
    contact = selectors.contact_get_for_user(user=request.user, contact_id=contact_id)
    conversation, outcome = _draft_objects(request, contact, request.GET)
    rendered = drafts.draft_render(
        kind=kind,
        contact=contact,
        conversation=conversation,
        outcome=outcome,
        school=settings.SCHOOL_NAME,
    )
    moves_pipeline = _draft_moves_pipeline(kind, conversation)
    context = {
        "kind": kind,
        "kind_label": drafts.kind_label(kind),
        "contact": contact,
        "conversation": conversation,
        "outcome": outcome,
        "draft": rendered,
        "moves_pipeline": moves_pipeline,
        # An intro or thank-you that cannot move this conversation on is logged as a plain
        # email rather than refused.
        "sent_conversation": conversation
        if moves_pipeline or kind not in (DraftKind.INTRO, DraftKind.THANK_YOU)
        else None,
    }
    return render(request, "contacts/draft.html", context)


@require_POST
@network_required
def draft_sent(request, contact_id: int, kind: str):
    kind = _draft_kind(kind)
    contact = selectors.contact_get_for_user(user=request.user, contact_id=contact_id)
    conversation, outcome = _draft_objects(request, contact, request.POST)
    try:
        if kind == DraftKind.INTRO and conversation and conversation.status == S.SCHEDULED:
            # The table allows scheduled -> requested (for cancellations), not a second intro.
            raise ValidationError(
                _(
                    "Your conversation with %(name)s is already scheduled. To change the date, "
                    "reschedule it on the conversation page."
                )
                % {"name": contact.name}
            )
        services.draft_mark_sent(kind=kind, contact=contact, conversation=conversation)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(_draft_url(contact.pk, kind, conversation, outcome))
    messages.success(
        request,
        _("Noted: you sent the %(kind)s email to %(name)s.")
        % {"kind": drafts.kind_label(kind).lower(), "name": contact.name},
    )
    if conversation is not None:
        return redirect(conversation_url(conversation))
    if outcome is not None:
        return redirect("contacts:outcomes")
    return redirect("contacts:detail", contact_id=contact.pk)


@network_required
def templates(request):
    rows = []
    for kind in DraftKind:
        subject, _body, customised = drafts.template_for(owner=request.user, kind=kind)
        rows.append(
            {
                "kind": kind,
                "label": drafts.kind_label(kind),
                "subject": subject,
                "customised": customised,
            }
        )
    return render(request, "contacts/templates.html", {"rows": rows})


@network_required
def template_edit(request, kind: str):
    kind = _draft_kind(kind)
    subject, body, customised = drafts.template_for(owner=request.user, kind=kind)
    form = EmailTemplateForm(request.POST or None, initial={"subject": subject, "body": body})
    if request.method == "POST":
        if form.is_valid():
            services.email_template_save(owner=request.user, kind=kind, **form.cleaned_data)
            messages.success(
                request,
                _("Your %(kind)s template is saved.") % {"kind": drafts.kind_label(kind).lower()},
            )
            return redirect("contacts:template_edit", kind=kind.value)
        messages.error(request, NOT_SAVED)
    typed = f"{form['subject'].value() or ''}\n{form['body'].value() or ''}"
    context = {
        "kind": kind,
        "kind_label": drafts.kind_label(kind),
        "form": form,
        "customised": customised,
        "unknown": drafts.unknown_fields(typed),
        "field_help": drafts.FIELD_HELP,
    }
    return render(request, "contacts/template_edit.html", context)


@require_POST
@network_required
def template_reset(request, kind: str):
    kind = _draft_kind(kind)
    services.email_template_reset(owner=request.user, kind=kind)
    messages.success(
        request,
        _("The %(kind)s template is back to the default wording.")
        % {"kind": drafts.kind_label(kind).lower()},
    )
    return redirect("contacts:template_edit", kind=kind.value)


# --- Outcomes -------------------------------------------------------------------------------


@network_required
def outcomes(request):
    form = OutcomeForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                outcome = services.outcome_record(owner=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Congratulations on the %(kind)s at %(organization)s! Let the people who "
                        "helped you know."
                    )
                    % {
                        "kind": outcome.get_kind_display().lower(),
                        "organization": outcome.organization.name,
                    },
                )
                return redirect(f"{reverse('contacts:outcomes')}#outcome-{outcome.pk}")
        messages.error(request, NOT_SAVED)
    context = {"form": form, "outcomes": selectors.outcomes_for_user(user=request.user)}
    return render(request, "contacts/outcomes.html", context)


@require_POST
@network_required
def outcome_delete(request, outcome_id: int):
    outcome = selectors.outcome_get_for_user(user=request.user, outcome_id=outcome_id)
    services.outcome_delete(outcome=outcome)
    messages.success(
        request,
        _("Removed the %(kind)s at %(organization)s.")
        % {"kind": outcome.get_kind_display().lower(), "organization": outcome.organization.name},
    )
    return redirect("contacts:outcomes")
