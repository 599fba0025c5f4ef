"""The conversation pipeline: planning, the board, a conversation's page and its moves, its
questions, action items and referrals (drafts and outcomes: views/outreach.py; Today:
views/today.py).

Every view starts from an owner-filtered lookup, so another person's object is a plain 404.
Services refuse nonsensical moves with a ValidationError: the views show its message and keep
what the student typed, never a 500.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from contacts import briefs, selectors, services
from contacts.advice import THINGS_TO_REMEMBER
from contacts.forms.pipeline import (
    STATUS_MOVES,
    ActionItemForm,
    CancelForm,
    ConversationNotesForm,
    ConversationPlanForm,
    QuestionForm,
    ReferralForm,
    RequestedForm,
    RescheduleForm,
    ScheduleForm,
    StatusForm,
)
from contacts.models import Conversation, ConversationStatus
from networking_app.accounts.decorators import network_required
from networking_app.core.form_errors import NOT_SAVED, add_service_errors, error_text

S = ConversationStatus


def _when(value) -> str:
    local = timezone.localtime(value)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} {local.tzname()}"


def conversation_url(conversation: Conversation, anchor: str = "") -> str:
    url = reverse("contacts:conversation", kwargs={"conversation_id": conversation.pk})
    return f"{url}#{anchor}" if anchor else url


def _get_conversation(request, conversation_id: int) -> Conversation:
    return selectors.conversation_get_for_user(user=request.user, conversation_id=conversation_id)


def _form_error_text(form) -> str:
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


# --- Plan -------------------------------------------------------------------------------


@network_required
def conversation_plan(request, contact_id: int):
    contact = selectors.contact_get_for_user(user=request.user, contact_id=contact_id)
    form = ConversationPlanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        conversation = services.conversation_plan(
            contact=contact, goal=form.cleaned_data["goal"], questions=form.all_questions()
        )
        if form.cleaned_data["save_to_bank"]:
            for text in form.questions_new_to_bank():
                services.question_bank_add(owner=request.user, text=text)
        messages.success(
            request,
            _("Your conversation with %(name)s is planned. Next: write the intro email.")
            % {"name": contact.name},
        )
        return redirect(conversation_url(conversation))
    if request.method == "POST":
        messages.error(request, NOT_SAVED)
    return render(request, "contacts/conversation_plan.html", {"contact": contact, "form": form})


# --- Board ------------------------------------------------------------------------------


def _board_context(user) -> dict:
    return {
        "columns": selectors.pipeline_board(user=user),
        "finished": selectors.conversations_finished(user=user),
    }


def _wants_board_fragment(request) -> bool:
    return bool(request.htmx) and request.htmx.target == "board"


@network_required
def board(request):
    context = _board_context(request.user)
    if _wants_board_fragment(request):
        return render(request, "contacts/_board.html", context)
    return render(request, "contacts/board.html", context)


def _after_move(
    request, conversation: Conversation, *, success: str = "", error: str = ""
) -> HttpResponse:
    """Back to where the move was made: the board (its fragment for htmx) or the page."""
    if request.POST.get("return_to") == "board":
        if _wants_board_fragment(request):
            context = {
                **_board_context(request.user),
                "notice": error or success,
                "notice_is_error": bool(error),
            }
            return render(request, "contacts/_board.html", context)
        (messages.error if error else messages.success)(request, error or success)
        return redirect("contacts:board")
    (messages.error if error else messages.success)(request, error or success)
    return redirect(conversation_url(conversation))


# --- The conversation page ---------------------------------------------------------------


def _conversation_page(request, conversation: Conversation, **bound_forms) -> HttpResponse:
    """The page, with unbound forms except those given (bound, with their errors)."""
    detail = selectors.conversation_detail(conversation=conversation)
    status = conversation.status
    allowed = services.TRANSITIONS[status]
    schedule_initial = {}
    if conversation.mode:
        schedule_initial = {
            "mode": conversation.mode,
            "location": conversation.location,
            "duration_minutes": conversation.duration_minutes,
        }
    forms = {
        "requested_form": RequestedForm(),
        "schedule_form": ScheduleForm(initial=schedule_initial),
        "reschedule_form": RescheduleForm(),
        "cancel_form": CancelForm(),
        "notes_form": ConversationNotesForm(
            questions=detail["questions"],
            initial={
                "notes": conversation.notes,
                "takeaways": conversation.takeaways,
                "held_at": ConversationNotesForm.held_at_initial(conversation.scheduled_at),
            },
        ),
        "question_form": QuestionForm(),
        "action_item_form": ActionItemForm(),
        "referral_form": ReferralForm(),
    }
    forms.update(bound_forms)
    context = {
        "conversation": conversation,
        "contact": conversation.contact,
        **detail,
        **forms,
        "open_form": next(iter(bound_forms), ""),
        # What matters now comes first and open; the other parts are folded.
        "stage": selectors.conversation_stage(conversation),
        "remember": THINGS_TO_REMEMBER,
        "can_request": status in (S.PLANNED, S.NO_RESPONSE),
        "can_schedule": status in (S.PLANNED, S.REQUESTED),
        "is_scheduled": status == S.SCHEDULED,
        "can_thank": status == S.HELD,
        "status_moves": [
            (value, label)
            for value, label in STATUS_MOVES
            if value in allowed and value != S.REQUESTED
        ],
        "current_zone": timezone.get_current_timezone_name(),
    }
    return render(request, "contacts/conversation.html", context)


@network_required
def conversation(request, conversation_id: int):
    return _conversation_page(request, _get_conversation(request, conversation_id))


def _refused(request, conversation: Conversation, form_name: str, form) -> HttpResponse:
    if request.POST.get("return_to") == "board":
        return _after_move(request, conversation, error=_form_error_text(form))
    # The form may belong to a part of the page this status does not show: say why here too.
    reasons = " ".join(form.non_field_errors())
    if reasons:
        messages.error(request, _("Nothing was saved: %(reasons)s") % {"reasons": reasons})
    else:
        messages.error(request, NOT_SAVED)
    return _conversation_page(request, conversation, **{form_name: form})


@require_POST
@network_required
def conversation_requested(request, conversation_id: int):
    conversation = _get_conversation(request, conversation_id)
    form = RequestedForm(request.POST)
    if form.is_valid():
        try:
            services.conversation_mark_requested(
                conversation=conversation, requested_on=form.cleaned_data["requested_on"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _after_move(
                request,
                conversation,
                success=_(
                    "Marked “Intro sent” for %(name)s. If there is no answer in a week, the "
                    "Today page will suggest a follow-up."
                )
                % {"name": conversation.contact.name},
            )
    return _refused(request, conversation, "requested_form", form)


@require_POST
@network_required
def conversation_schedule(request, conversation_id: int):
    conversation = _get_conversation(request, conversation_id)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            services.conversation_schedule(conversation=conversation, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            when = _when(form.cleaned_data["scheduled_at"])
            return _after_move(
                request,
                conversation,
                success=_("Scheduled with %(name)s: %(when)s.")
                % {"name": conversation.contact.name, "when": when},
            )
    return _refused(request, conversation, "schedule_form", form)


@require_POST
@network_required
def conversation_reschedule(request, conversation_id: int):
    conversation = _get_conversation(request, conversation_id)
    form = RescheduleForm(request.POST)
    if form.is_valid():
        try:
            services.conversation_reschedule(conversation=conversation, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            when = _when(form.cleaned_data["scheduled_at"])
            return _after_move(
                request, conversation, success=_("Moved to %(when)s.") % {"when": when}
            )
    return _refused(request, conversation, "reschedule_form", form)


@require_POST
@network_required
def conversation_cancel(request, conversation_id: int):
    conversation = _get_conversation(request, conversation_id)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.conversation_cancel(conversation=conversation, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _after_move(
                request,
                conversation,
                success=_(
                    "Cancelled. The conversation is back to waiting for a new date; schedule it "
                    "again when you agree on one."
                ),
            )
    return _refused(request, conversation, "cancel_form", form)


def _notes_form(request, conversation: Conversation) -> ConversationNotesForm:
    questions = selectors.conversation_detail(conversation=conversation)["questions"]
    return ConversationNotesForm(request.POST, questions=questions)


@require_POST
@network_required
def conversation_held(request, conversation_id: int):
    conversation = _get_conversation(request, conversation_id)
    form = _notes_form(request, conversation)
    if form.is_valid():
        # Only a scheduled conversation can become held (the service says why otherwise), and
        # only its page asks when it happened.
        held_at = form.require_held_at() if conversation.status == S.SCHEDULED else None
        if not form.errors:
            try:
                services.conversation_mark_held(
                    conversation=conversation,
                    notes=form.cleaned_data["notes"],
                    takeaways=form.cleaned_data["takeaways"],
                    answers=form.answers(),
                    held_at=held_at,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return _after_move(
                    request,
                    conversation,
                    success=_(
                        "Marked as held, and your notes are saved. Send a thank-you note within "
                        "24 hours."
                    ),
                )
    return _refused(request, conversation, "notes_form", form)


@require_POST
@network_required
def conversation_notes(request, conversation_id: int):
    conversation = _get_conversation(request, conversation_id)
    form = _notes_form(request, conversation)
    if form.is_valid():
        services.conversation_update_notes(
            conversation=conversation,
            goal=conversation.goal,
            notes=form.cleaned_data["notes"],
            takeaways=form.cleaned_data["takeaways"],
        )
        services.question_answers_save(conversation=conversation, answers=form.answers())
        messages.success(request, _("Your notes are saved."))
        return redirect(conversation_url(conversation, "during"))
    return _refused(request, conversation, "notes_form", form)


@require_POST
@network_required
def conversation_thanked(request, conversation_id: int):
    conversation = _get_conversation(request, conversation_id)
    try:
        services.conversation_mark_thanked(conversation=conversation)
    except ValidationError as error:
        return _after_move(request, conversation, error=error_text(error))
    return _after_move(
        request,
        conversation,
        success=_("Noted: you thanked %(name)s.") % {"name": conversation.contact.name},
    )


@require_POST
@network_required
def conversation_status(request, conversation_id: int):
    conversation = _get_conversation(request, conversation_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _after_move(request, conversation, error=_("Choose one of the moves offered."))
    try:
        services.conversation_set_status(
            conversation=conversation, status=form.cleaned_data["status"]
        )
    except ValidationError as error:
        return _after_move(request, conversation, error=error_text(error))
    label = S(form.cleaned_data["status"]).label
    return _after_move(
        request,
        conversation,
        success=_("%(name)s: now “%(status)s”.")
        % {"name": conversation.contact.name, "status": label},
    )


# --- Questions, action items, referrals ----------------------------------------------------


@require_POST
@network_required
def question_add(request, conversation_id: int):
    conversation = _get_conversation(request, conversation_id)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.question_prepare(conversation=conversation, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Question added."))
            return redirect(conversation_url(conversation, "prep"))
    return _refused(request, conversation, "question_form", form)


@require_POST
@network_required
def question_delete(request, question_id: int):
    question = selectors.prepared_question_get_for_user(user=request.user, question_id=question_id)
    conversation = question.conversation
    services.question_remove(question=question)
    messages.success(request, _("Removed the question “%(text)s”.") % {"text": question.text})
    return redirect(conversation_url(conversation, "prep"))


@require_POST
@network_required
def action_item_add(request, conversation_id: int):
    conversation = _get_conversation(request, conversation_id)
    form = ActionItemForm(request.POST)
    if form.is_valid():
        services.action_item_create(
            owner=request.user,
            conversation=conversation,
            text=form.cleaned_data["text"],
            due_on=form.cleaned_data["due_on"],
        )
        messages.success(request, _("Action item added."))
        return redirect(conversation_url(conversation, "action-items"))
    return _refused(request, conversation, "action_item_form", form)


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@require_POST
@network_required
def action_item_toggle(request, item_id: int):
    item = selectors.action_item_get_for_user(user=request.user, item_id=item_id)
    item = services.action_item_toggle_done(item=item)
    if item.done_at:
        messages.success(request, _("Done: %(text)s") % {"text": item.text})
    else:
        messages.success(request, _("Not done yet: %(text)s") % {"text": item.text})
    target = _safe_next(request)
    if target:
        return redirect(target)
    if item.conversation_id:
        return redirect(
            reverse("contacts:conversation", kwargs={"conversation_id": item.conversation_id})
            + "#action-items"
        )
    return redirect("contacts:today")


@require_POST
@network_required
def referral_add(request, conversation_id: int):
    conversation = _get_conversation(request, conversation_id)
    form = ReferralForm(request.POST)
    if form.is_valid():
        try:
            referral = services.referral_create(referrer=conversation.contact, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is now one of your contacts, referred by %(referrer)s.")
                % {"name": referral.name, "referrer": conversation.contact.name},
            )
            return redirect(conversation_url(conversation, "referrals"))
    return _refused(request, conversation, "referral_form", form)


@require_safe
@network_required
def conversation_brief(request, conversation_id: int):
    """The brief before the conversation (contacts.briefs), a page to read on the way."""
    conversation = _get_conversation(request, conversation_id)
    context = {"brief": briefs.conversation_brief(conversation)}
    return render(request, "contacts/brief.html", context)
