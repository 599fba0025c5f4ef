"""The conversation pipeline: planning, the board, a conversation's page and its moves,
email drafts and their templates, outcomes, and the Today page.

Every view starts from an owner-filtered lookup, so another person's object is a plain 404.
Services refuse nonsensical moves with a ValidationError: the views show its message and keep
what the student typed, never a 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from contacts import drafts, selectors, services
from contacts.forms.pipeline import (
    STATUS_MOVES,
    ActionItemForm,
    CancelForm,
    ConversationNotesForm,
    ConversationPlanForm,
    EmailTemplateForm,
    OutcomeForm,
    QuestionForm,
    ReferralForm,
    RequestedForm,
    RescheduleForm,
    ScheduleForm,
    StatusForm,
)
from contacts.models import Conversation, ConversationStatus, DraftKind
from contacts.this_week import has_something_this_week
from networking_app.accounts.decorators import student_required
from networking_app.core.cache import cache_key, cached, person, viewer_parts
from networking_app.core.form_errors import add_service_errors

S = ConversationStatus

# The career office's advice for the meeting itself.
THINGS_TO_REMEMBER = [
    "Be on time.",
    "Dress appropriately.",
    "Be considerate of their time.",
    "Be courteous and gracious.",
    "Listen carefully and take good notes.",
    "Ask for referrals, and for permission to use their name.",
    "Thank them at the end.",
]

NOT_SAVED = "Nothing was saved: please check the form below."


def _when(value) -> str:
    local = timezone.localtime(value)
    return f"{formats.date_format(local, 'D j M Y, g:i A')} {local.tzname()}"


def _conversation_url(conversation: Conversation, anchor: str = "") -> str:
    url = reverse("contacts:conversation", kwargs={"conversation_id": conversation.pk})
    return f"{url}#{anchor}" if anchor else url


def _get_conversation(request, conversation_id: int) -> Conversation:
    return selectors.conversation_get_for_user(user=request.user, conversation_id=conversation_id)


def _form_error_text(form) -> str:
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


# --- Plan -------------------------------------------------------------------------------


@student_required
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
            f"Your conversation with {contact.name} is planned. Next: write the intro email.",
        )
        return redirect(_conversation_url(conversation))
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


@student_required
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
    return redirect(_conversation_url(conversation))


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


@student_required
def conversation(request, conversation_id: int):
    return _conversation_page(request, _get_conversation(request, conversation_id))


def _refused(request, conversation: Conversation, form_name: str, form) -> HttpResponse:
    if request.POST.get("return_to") == "board":
        return _after_move(request, conversation, error=_form_error_text(form))
    # The form may belong to a part of the page this status does not show: say why here too.
    reasons = " ".join(form.non_field_errors())
    messages.error(request, f"Nothing was saved: {reasons}" if reasons else NOT_SAVED)
    return _conversation_page(request, conversation, **{form_name: form})


@require_POST
@student_required
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
                success=f"Marked “Intro sent” for {conversation.contact.name}. If there is no "
                "answer in a week, the Today page will suggest a follow-up.",
            )
    return _refused(request, conversation, "requested_form", form)


@require_POST
@student_required
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
                success=f"Scheduled with {conversation.contact.name}: {when}.",
            )
    return _refused(request, conversation, "schedule_form", form)


@require_POST
@student_required
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
            return _after_move(request, conversation, success=f"Moved to {when}.")
    return _refused(request, conversation, "reschedule_form", form)


@require_POST
@student_required
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
                success="Cancelled. The conversation is back to waiting for a new date; "
                "schedule it again when you agree on one.",
            )
    return _refused(request, conversation, "cancel_form", form)


def _notes_form(request, conversation: Conversation) -> ConversationNotesForm:
    questions = selectors.conversation_detail(conversation=conversation)["questions"]
    return ConversationNotesForm(request.POST, questions=questions)


@require_POST
@student_required
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
                    success="Marked as held, and your notes are saved. Send a thank-you note "
                    "within 24 hours.",
                )
    return _refused(request, conversation, "notes_form", form)


@require_POST
@student_required
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
        messages.success(request, "Your notes are saved.")
        return redirect(_conversation_url(conversation, "during"))
    return _refused(request, conversation, "notes_form", form)


@require_POST
@student_required
def conversation_thanked(request, conversation_id: int):
    conversation = _get_conversation(request, conversation_id)
    try:
        services.conversation_mark_thanked(conversation=conversation)
    except ValidationError as error:
        return _after_move(request, conversation, error=" ".join(error.messages))
    return _after_move(
        request, conversation, success=f"Noted: you thanked {conversation.contact.name}."
    )


@require_POST
@student_required
def conversation_status(request, conversation_id: int):
    conversation = _get_conversation(request, conversation_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _after_move(request, conversation, error="Choose one of the moves offered.")
    try:
        services.conversation_set_status(
            conversation=conversation, status=form.cleaned_data["status"]
        )
    except ValidationError as error:
        return _after_move(request, conversation, error=" ".join(error.messages))
    label = S(form.cleaned_data["status"]).label
    return _after_move(
        request, conversation, success=f"{conversation.contact.name}: now “{label}”."
    )


# --- Questions, action items, referrals ----------------------------------------------------


@require_POST
@student_required
def question_add(request, conversation_id: int):
    conversation = _get_conversation(request, conversation_id)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.question_prepare(conversation=conversation, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Question added.")
            return redirect(_conversation_url(conversation, "prep"))
    return _refused(request, conversation, "question_form", form)


@require_POST
@student_required
def question_delete(request, question_id: int):
    question = selectors.prepared_question_get_for_user(user=request.user, question_id=question_id)
    conversation = question.conversation
    services.question_remove(question=question)
    messages.success(request, f"Removed the question “{question.text}”.")
    return redirect(_conversation_url(conversation, "prep"))


@require_POST
@student_required
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
        messages.success(request, "Action item added.")
        return redirect(_conversation_url(conversation, "action-items"))
    return _refused(request, conversation, "action_item_form", form)


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@require_POST
@student_required
def action_item_toggle(request, item_id: int):
    item = selectors.action_item_get_for_user(user=request.user, item_id=item_id)
    item = services.action_item_toggle_done(item=item)
    if item.done_at:
        messages.success(request, f"Done: {item.text}")
    else:
        messages.success(request, f"Not done yet: {item.text}")
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
@student_required
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
                f"{referral.name} is now one of your contacts, referred by "
                f"{conversation.contact.name}.",
            )
            return redirect(_conversation_url(conversation, "referrals"))
    return _refused(request, conversation, "referral_form", form)


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


@student_required
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
@student_required
def draft_sent(request, contact_id: int, kind: str):
    kind = _draft_kind(kind)
    contact = selectors.contact_get_for_user(user=request.user, contact_id=contact_id)
    conversation, outcome = _draft_objects(request, contact, request.POST)
    try:
        if kind == DraftKind.INTRO and conversation and conversation.status == S.SCHEDULED:
            # The table allows scheduled -> requested (for cancellations), not a second intro.
            raise ValidationError(
                f"Your conversation with {contact.name} is already scheduled. To change the "
                "date, reschedule it on the conversation page."
            )
        services.draft_mark_sent(kind=kind, contact=contact, conversation=conversation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_draft_url(contact.pk, kind, conversation, outcome))
    messages.success(request, f"Noted: you sent the {kind.label.lower()} email to {contact.name}.")
    if conversation is not None:
        return redirect(_conversation_url(conversation))
    if outcome is not None:
        return redirect("contacts:outcomes")
    return redirect("contacts:detail", contact_id=contact.pk)


@student_required
def templates(request):
    rows = []
    for kind in DraftKind:
        subject, _, customised = drafts.template_for(owner=request.user, kind=kind)
        rows.append({"kind": kind, "subject": subject, "customised": customised})
    return render(request, "contacts/templates.html", {"rows": rows})


@student_required
def template_edit(request, kind: str):
    kind = _draft_kind(kind)
    subject, body, customised = drafts.template_for(owner=request.user, kind=kind)
    form = EmailTemplateForm(request.POST or None, initial={"subject": subject, "body": body})
    if request.method == "POST":
        if form.is_valid():
            services.email_template_save(owner=request.user, kind=kind, **form.cleaned_data)
            messages.success(request, f"Your {kind.label.lower()} template is saved.")
            return redirect("contacts:template_edit", kind=kind.value)
        messages.error(request, NOT_SAVED)
    typed = f"{form['subject'].value() or ''}\n{form['body'].value() or ''}"
    context = {
        "kind": kind,
        "form": form,
        "customised": customised,
        "unknown": drafts.unknown_fields(typed),
        "field_help": drafts.FIELD_HELP,
    }
    return render(request, "contacts/template_edit.html", context)


@require_POST
@student_required
def template_reset(request, kind: str):
    kind = _draft_kind(kind)
    services.email_template_reset(owner=request.user, kind=kind)
    messages.success(request, f"The {kind.label.lower()} template is back to the default wording.")
    return redirect("contacts:template_edit", kind=kind.value)


# --- Outcomes -------------------------------------------------------------------------------


@student_required
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
                    f"Congratulations on the {outcome.get_kind_display().lower()} at "
                    f"{outcome.organization.name}! Let the people who helped you know.",
                )
                return redirect(f"{reverse('contacts:outcomes')}#outcome-{outcome.pk}")
        messages.error(request, NOT_SAVED)
    context = {"form": form, "outcomes": selectors.outcomes_for_user(user=request.user)}
    return render(request, "contacts/outcomes.html", context)


@require_POST
@student_required
def outcome_delete(request, outcome_id: int):
    outcome = selectors.outcome_get_for_user(user=request.user, outcome_id=outcome_id)
    services.outcome_delete(outcome=outcome)
    messages.success(
        request, f"Removed the {outcome.get_kind_display().lower()} at {outcome.organization.name}."
    )
    return redirect("contacts:outcomes")


# --- Today ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TodayLists:
    """The Today page's lists but the action items, as rendered, and whether all are empty."""

    html: SafeString  # pickled as such: the cache keeps it safe
    empty: bool


def today_response(request, *, home: bool = False, extra: dict | None = None) -> HttpResponse:
    """The Today page; a student's home page shows it too, with a welcome and what the
    project's home view adds (`extra`: the events card)."""
    user = request.user
    today_date = timezone.localdate()

    def lists() -> TodayLists:
        page = selectors.today_page(user=user, with_action_items=False)
        html = render_to_string("contacts/today.html#lists", {"page": page})
        return TodayLists(html=html, empty=page.is_empty)

    # The lists but the action items (their forms carry the CSRF token) are kept under the
    # student's version (networking_app.core.cache), which every write to their conversations and
    # contacts raises; the lifetime bounds what the clock moves (a thank-you falling due).
    cached_lists = cached(
        cache_key("today", user.pk, *viewer_parts()),
        lists,
        timeout=settings.PRIVATE_PAGE_CACHE_SECONDS,
        scopes=[person(user.pk)],
    )
    action_items = selectors.action_items_due(user=user, today=today_date)
    is_empty = cached_lists.empty and not action_items
    context = {
        "page": {"is_empty": is_empty, "action_items": action_items},
        "lists_html": cached_lists.html,
        "home": home,
        "today_date": today_date,
        # The all-clear must not say "no conversation this week" above a flash mentoring
        # session that is (the sessions card loads on its own).
        "session_this_week": is_empty and has_something_this_week(user=user),
    }
    if home:
        context["student"] = getattr(user, "student_profile", None)
    context.update(extra or {})
    return render(request, "contacts/today.html", context)


@student_required
def today(request):
    return today_response(request)
