"""Forms of the events calendar: the staff event form, cancelling, calendar filters, the
check-in search and "log the people you met"."""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from events.models import Audience, Event, EventKind, EventStatus, LabelKind
from events.selectors.calendar import CalendarFilters, calendar_filter_choices
from networking_app.accounts.models import ApprovalStatus, Role, User, time_zone_choices

LOCAL_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _local_field(label, required: bool = True, help_text="") -> forms.DateTimeField:
    # Naive on purpose: the form makes it aware in the event's own time zone (clean()).
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=LOCAL_INPUT_FORMATS,
        widget=LocalDateTimeInput(),
        help_text=help_text,
    )


def _split(text: str, separators: str = ",\n") -> list[str]:
    parts = re.split(f"[{re.escape(separators)}]", text or "")
    return [" ".join(p.split()) for p in parts if p.strip()]


def host_choices():
    """Who may be listed as a host or speaker: approved volunteers and staff."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(role=Role.VOLUNTEER, volunteer_profile__status=ApprovalStatus.APPROVED)
            | Q(role=Role.STAFF)
        )
        .select_related("profile")
        .order_by("profile__display_name", "email")
    )


class HostChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user) -> str:
        return f"{user.display_name} ({str(user.get_role_display()).lower()})"


class EventForm(forms.Form):
    # "Title" alone is a person's job title elsewhere ("Cargo"): an event's is its name.
    title = forms.CharField(label=pgettext_lazy("an event's", "Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=20000,
        help_text=_("Markdown: **bold**, *italic*, [a link](https://…), lists."),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (EventStatus.PUBLISHED, EventStatus.PUBLISHED.label),
            (EventStatus.DRAFT, _("Draft (staff only)")),
        ],
        initial=EventStatus.PUBLISHED,
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_("The times below are in this time zone."),
    )
    starts_at = _local_field(_("Starts"))
    ends_at = _local_field(_("Ends"))
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    video_url = forms.URLField(
        label=_("Video link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("Shown only to people who are going."),
    )
    capacity = forms.IntegerField(
        label=_("Capacity"),
        min_value=1,
        max_value=100000,
        required=False,
        help_text=_(
            "Empty: no limit. A larger number gives seats to the waitlist in order; a "
            "smaller one takes no seat away from anyone already going."
        ),
    )
    rsvp_opens_at = _local_field(_("RSVP opens"), required=False, help_text=_("Empty: right away."))
    rsvp_closes_at = _local_field(
        _("RSVP closes"), required=False, help_text=_("Empty: until the event ends.")
    )
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)
    class_years = forms.CharField(
        label=_("Class years"),
        required=False,
        max_length=200,
        help_text=_("Students of these class years only, e.g. 2027, 2028. Empty: every year."),
    )
    is_public = forms.BooleanField(
        label=_("Listed publicly"),
        required=False,
        help_text=_(
            "Anyone, signed in or not, sees it on the calendar (without links or attendees)."
        ),
        initial=True,
    )
    organizations = forms.CharField(
        label=_("Organizations attending"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
        help_text=_("One per line."),
    )
    industries = forms.CharField(
        label=_("Industries"),
        required=False,
        max_length=1000,
        help_text=_("Separate industries with commas."),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1000,
        help_text=_("Separate tags with commas."),
    )
    hosts = HostChoiceField(
        label=_("Hosts and speakers"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("Approved volunteers and staff."),
    )

    def __init__(self, *args, event: Event | None = None, **kwargs):
        if event is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(event)
        super().__init__(*args, **kwargs)
        self.fields["hosts"].queryset = host_choices()
        if "time_zone" not in self.initial:
            self.initial["time_zone"] = timezone.get_current_timezone_name()

    @staticmethod
    def initial_for(event: Event) -> dict:
        zone = zoneinfo.ZoneInfo(event.time_zone)

        def local(value):
            return timezone.localtime(value, zone).replace(tzinfo=None) if value else None

        labels = list(event.labels.all())
        return {
            "title": event.title,
            "kind": event.kind,
            "description": event.description,
            "status": event.status,
            "time_zone": event.time_zone,
            "starts_at": local(event.starts_at),
            "ends_at": local(event.ends_at),
            "place": event.place,
            "video_url": event.video_url,
            "capacity": event.capacity,
            "rsvp_opens_at": local(event.rsvp_opens_at),
            "rsvp_closes_at": local(event.rsvp_closes_at),
            "audience": event.audience,
            "class_years": ", ".join(str(y) for y in event.class_years),
            "is_public": event.is_public,
            "organizations": "\n".join(o.name for o in event.organizations.all()),
            "industries": ", ".join(lab.name for lab in labels if lab.kind == LabelKind.INDUSTRY),
            "tags": ", ".join(lab.name for lab in labels if lab.kind == LabelKind.TAG),
            "hosts": [link.user_id for link in event.host_links.all()],
        }

    def clean_class_years(self) -> list[int]:
        years = []
        for part in _split(self.cleaned_data["class_years"], ", \n"):
            if not part.isdigit() or not 1900 <= int(part) <= 2200:
                raise ValidationError(
                    gettext("“%(value)s” is not a class year: write years like 2027, 2028.")
                    % {"value": part}
                )
            years.append(int(part))
        return sorted(set(years))

    def clean(self):
        data = super().clean()
        zone_name = data.get("time_zone")
        if zone_name:
            zone = zoneinfo.ZoneInfo(zone_name)
            for name in ("starts_at", "ends_at", "rsvp_opens_at", "rsvp_closes_at"):
                value = data.get(name)
                if value is not None:
                    if timezone.is_aware(value):
                        value = value.replace(tzinfo=None)
                    data[name] = value.replace(tzinfo=zone).astimezone(dt.UTC)
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", gettext("The event must end after it starts."))
        opens, closes = data.get("rsvp_opens_at"), data.get("rsvp_closes_at")
        if opens and closes and closes <= opens:
            self.add_error("rsvp_closes_at", gettext("RSVPs must close after they open."))
        if closes and ends and closes > ends:
            self.add_error("rsvp_closes_at", gettext("RSVPs must close before the event ends."))
        if not data.get("place") and not data.get("video_url") and "video_url" not in self.errors:
            self.add_error("place", gettext("Give a place, a video link, or both."))
        if data.get("class_years") and data.get("audience") == Audience.VOLUNTEERS:
            self.add_error("class_years", gettext("Class years only apply to events for students."))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"].strip(),
            "kind": data["kind"],
            "description": data["description"],
            "status": data["status"],
            "time_zone": data["time_zone"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "place": data["place"].strip(),
            "video_url": data["video_url"],
            "capacity": data["capacity"],
            "rsvp_opens_at": data["rsvp_opens_at"],
            "rsvp_closes_at": data["rsvp_closes_at"],
            "audience": data["audience"],
            "class_years": data["class_years"],
            "is_public": data["is_public"],
            "organizations": _split(data["organizations"], "\n"),
            "industries": _split(data["industries"]),
            "tags": _split(data["tags"]),
            "hosts": list(data["hosts"]),
        }


class EventCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Everyone going or on the waitlist receives it by email."),
    )


class IdChoiceField(forms.ChoiceField):
    """A choice of row by id, checked against choices loaded once (ModelChoiceField checks with
    a query of its own), with ModelChoiceField's message."""

    default_error_messages = {
        "invalid_choice": forms.ModelChoiceField.default_error_messages["invalid_choice"],
    }

    def to_python(self, value) -> int | None:
        if value in self.empty_values:
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None

    def validate(self, value) -> None:
        forms.Field.validate(self, value)  # "required", not ChoiceField's check of strings
        if value is not None and not any(value == pk for pk, _ in self.choices):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")


class CalendarFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Any kind")), *EventKind.choices], required=False
    )
    industry = IdChoiceField(label=_("Industry"), required=False)
    organization = IdChoiceField(label=_("Organization"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Callables: the choices are read (one query for both) only when a filter is set or
        # the form is shown, not for an htmx request that swaps the calendar alone.
        self.fields["industry"].choices = self._industry_choices
        self.fields["organization"].choices = self._organization_choices

    @functools.cached_property
    def _choices(self):
        return calendar_filter_choices()

    def _industry_choices(self):
        return [("", gettext("Any industry")), *self._choices[0]]

    def _organization_choices(self):
        return [("", gettext("Any organization")), *self._choices[1]]

    def filters(self) -> CalendarFilters:
        """The valid filters; a bad value (a stale link) is ignored rather than an error page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return CalendarFilters(
            kind=data.get("kind") or "",
            industry_id=data.get("industry"),
            organization_id=data.get("organization"),
        )

    def query(self) -> str:
        """The filters as a query string, for the month/week/agenda links."""
        filters = self.filters()
        parts = []
        if filters.kind:
            parts.append(f"kind={filters.kind}")
        if filters.industry_id:
            parts.append(f"industry={filters.industry_id}")
        if filters.organization_id:
            parts.append(f"organization={filters.organization_id}")
        return "&".join(parts)


class CheckInSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or email"), required=False, max_length=100)


class CheckInCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Scanned code"),
        required=False,
        max_length=500,
        help_text=_("Scan the attendee's QR code with a hardware scanner, or paste the code."),
    )


class MetPersonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    organization = forms.CharField(label=_("Organization"), max_length=200, required=False)
    title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    notes = forms.CharField(
        label=_("What you talked about"), max_length=2000, required=False, widget=forms.TextInput()
    )

    def clean(self):
        data = super().clean()
        others = any(data.get(f) for f in ("organization", "title", "email", "notes"))
        if others and not (data.get("name") or "").strip():
            self.add_error("name", gettext("Add the person's name, or clear this row."))
        return data


MetPeopleFormSet = forms.formset_factory(
    MetPersonForm, extra=3, max_num=20, validate_max=True, absolute_max=20
)
