"""Forms of the conversation pipeline, drafts and outcomes.

Date-times are typed in the student's own time zone (activated by UserTimeZoneMiddleware):
``forms.DateTimeField`` makes a naive value aware with ``timezone.make_aware`` in the current
zone, and refuses times that do not exist or are ambiguous there (daylight-saving changes).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import (
    AskedBy,
    Contact,
    ConversationStatus,
    MeetingMode,
    OutcomeKind,
    PreparedQuestion,
    Question,
)
from contacts.selectors.pipeline import question_bank

S = ConversationStatus
NEW_QUESTION_SLOTS = 3
FUTURE_ONLY = _("Choose a date and time in the future.")

# The moves the status form accepts; every other move has its own form.
STATUS_MOVES = [
    (S.REQUESTED.value, _("Back to waiting for an answer")),
    (S.DECLINED.value, _("They declined")),
    (S.NO_RESPONSE.value, _("No response")),
    (S.CLOSED.value, _("End this conversation")),
]


class PageForm(forms.Form):
    """A form that shares a page with others: its ids get a prefix, its names do not."""

    id_prefix = "form"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class WallClockDateTimeField(forms.DateTimeField):
    """A time as the clock on the wall showed it, in the active (the user's) zone. Django's
    field refuses the hour a daylight-saving change repeats and the one it skips; a person
    who was there means the first pass of a repeated hour, and a skipped time moves on by the
    gap (Python's fold=0 rule)."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            for fmt in self.input_formats:
                try:
                    naive = dt.datetime.strptime(value.strip(), fmt)
                except ValueError:
                    continue
                zone = timezone.get_current_timezone()
                return naive.replace(tzinfo=zone).astimezone(dt.UTC)
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


def _future_datetime_field(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        help_text=_("In your time zone."),
    )


def _check_future(value):
    if value is not None and value <= timezone.now():
        raise ValidationError(FUTURE_ONLY)
    return value


def _question_key(text: str) -> str:
    return " ".join(text.split()).casefold()


class ConversationPlanForm(forms.Form):
    goal = forms.CharField(
        label=_("What I want to learn"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: how analysts at a consulting firm spend their first year."),
    )
    bank_questions = forms.ModelMultipleChoiceField(
        label=_("Questions from the question bank"),
        queryset=Question.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    save_to_bank = forms.BooleanField(
        label=_("Save my new questions to my question bank"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["bank_questions"].queryset = question_bank(user=user).order_by(
            F("owner_id").asc(nulls_first=True), "id"
        )
        # The new-question boxes come after the bank, and the "save" box after them.
        save_to_bank = self.fields.pop("save_to_bank")
        for number in range(1, NEW_QUESTION_SLOTS + 1):
            self.fields[f"new_question_{number}"] = forms.CharField(
                label=_("New question %(number)s") % {"number": number},
                max_length=500,
                required=False,
            )
        self.fields["save_to_bank"] = save_to_bank

    def new_questions(self) -> list[str]:
        texts = (
            self.cleaned_data.get(f"new_question_{n}", "").strip()
            for n in range(1, NEW_QUESTION_SLOTS + 1)
        )
        return [text for text in texts if text]

    def questions_new_to_bank(self) -> list[str]:
        known = {_question_key(q.text) for q in self.fields["bank_questions"].queryset}
        return [text for text in self.new_questions() if _question_key(text) not in known]

    def all_questions(self) -> list[str]:
        """Chosen bank questions in bank order, then the new ones, without repeats."""
        chosen = [q.text for q in self.cleaned_data["bank_questions"]]
        seen: set[str] = set()
        questions = []
        for text in [*chosen, *self.new_questions()]:
            key = _question_key(text)
            if key not in seen:
                seen.add(key)
                questions.append(text)
        return questions


class RequestedForm(PageForm):
    id_prefix = "requested"

    requested_on = forms.DateField(
        label=_("Date the intro email was sent"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for today."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"requested_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean_requested_on(self):
        value = self.cleaned_data["requested_on"] or timezone.localdate()
        if value > timezone.localdate():
            raise ValidationError(_("The intro email cannot have been sent in the future."))
        return value


class ScheduleForm(PageForm):
    id_prefix = "schedule"

    scheduled_at = _future_datetime_field(_("Date and time"))
    mode = forms.ChoiceField(
        label=_("How you will meet"),
        choices=MeetingMode.choices,
        widget=forms.RadioSelect,
        initial=MeetingMode.VIDEO,
    )
    location = forms.CharField(
        label=_("Place or link"),
        max_length=500,
        required=False,
        help_text=_("An address, a video-call link or a phone number."),
    )
    duration_minutes = forms.IntegerField(
        label=_("Length in minutes"), min_value=5, max_value=240, initial=30
    )

    def clean_scheduled_at(self):
        return _check_future(self.cleaned_data["scheduled_at"])


class RescheduleForm(PageForm):
    id_prefix = "reschedule"

    scheduled_at = _future_datetime_field(_("New date and time"))
    asked_by = forms.ChoiceField(
        label=_("Who asked to move it?"), choices=AskedBy.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False)
    location = forms.CharField(
        label=_("New place or link (optional)"),
        max_length=500,
        required=False,
        help_text=_("Leave empty to keep the current one."),
    )

    def clean_scheduled_at(self):
        return _check_future(self.cleaned_data["scheduled_at"])

    def clean_location(self):
        return self.cleaned_data["location"].strip() or None


class CancelForm(PageForm):
    id_prefix = "cancel"

    asked_by = forms.ChoiceField(
        label=_("Who cancelled?"), choices=AskedBy.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False)


class StatusForm(PageForm):
    id_prefix = "status"

    status = forms.ChoiceField(choices=STATUS_MOVES)


class ConversationNotesForm(PageForm):
    """Notes, takeaways and one answer per prepared question (fields ``answer-<id>``).

    The same fields serve "Save notes" and "Mark as held". The inputs carry ``form=`` so the
    takeaways box can sit in the "After" part of the page and still belong to this form.
    """

    id_prefix = "notes"

    FORM_ID = "conversation-notes"

    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    takeaways = forms.CharField(
        label=_("Takeaways"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you learned and will act on. The first line goes in the thank-you note."),
    )

    # Only "Save and mark as held" reads it (the view requires it there).
    held_at = WallClockDateTimeField(
        label=_("When it happened"),
        required=False,
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        help_text=_("In your time zone."),
    )

    def __init__(self, *args, questions: list[PreparedQuestion], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[self.answer_field(question)] = forms.CharField(
                label=question.text,
                required=False,
                initial=question.answer,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        for field in self.fields.values():
            field.widget.attrs["form"] = self.FORM_ID

    @staticmethod
    def held_at_initial(scheduled_at) -> dt.datetime:
        """The scheduled time once it has passed, else now: what "held" most likely means."""
        now = timezone.now()
        if scheduled_at is not None and scheduled_at <= now:
            return scheduled_at
        return now.replace(second=0, microsecond=0)

    def require_held_at(self) -> dt.datetime | None:
        """The time it happened, or None with an error on the field. Checked here rather than
        in clean() so that "Save notes" never fails on this field."""
        value = self.cleaned_data.get("held_at")
        if value is None:
            self.add_error("held_at", _("Say when the conversation happened."))
        elif value > timezone.now():
            self.add_error(
                "held_at", _("That time is still to come: say when the conversation happened.")
            )
            value = None
        return value

    @staticmethod
    def answer_field(question: PreparedQuestion) -> str:
        return f"answer-{question.pk}"

    def answers(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data[self.answer_field(q)] for q in self.questions}

    def answer_fields(self):
        return [self[self.answer_field(q)] for q in self.questions]


class QuestionForm(PageForm):
    id_prefix = "question"

    text = forms.CharField(label=_("Add a question"), max_length=500)


class ActionItemForm(PageForm):
    id_prefix = "item"

    text = forms.CharField(label=_("What to do"), max_length=300)
    due_on = forms.DateField(label=_("Due (optional)"), required=False, widget=DateInput())


class ReferralForm(PageForm):
    id_prefix = "referral"

    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("Email (optional)"), required=False)
    organization_name = forms.CharField(
        label=_("Organization (optional)"), max_length=200, required=False
    )
    title = forms.CharField(label=_("Job title (optional)"), max_length=200, required=False)
    may_use_name = forms.BooleanField(
        label=_("They said I may use their name when I reach out"), required=False
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why they suggested this person."),
    )


class EmailTemplateForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 14}))

    def clean_subject(self):
        # One line only: a pasted line break must not end up in an email header.
        return " ".join(self.cleaned_data["subject"].split())


class ContactChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Contact) -> str:
        if obj.organization_id:
            return f"{obj.name} ({obj.organization.name})"
        return obj.name


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What you were offered"), choices=OutcomeKind.choices, widget=forms.RadioSelect
    )
    organization_name = forms.CharField(label=_("Organization"), max_length=200)
    title = forms.CharField(label=_("Position title (optional)"), max_length=200, required=False)
    decided_on = forms.DateField(label=_("Date"), widget=DateInput())
    helped_by = ContactChoiceField(
        label=_("Who helped you get there?"),
        queryset=Contact.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only your own contacts are listed."),
    )
    notes = forms.CharField(
        label=_("Notes (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {"decided_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["helped_by"].queryset = (
            Contact.objects.filter(owner=user).select_related("organization").order_by("name", "id")
        )
