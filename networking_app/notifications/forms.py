import datetime as dt

from django import forms
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from networking_app.notifications.kinds import kinds_for_role
from networking_app.notifications.models import Delivery
from networking_app.notifications.services import DIGEST_KIND, delivery_for


def hour_choices() -> list[tuple[int, str]]:
    """Each hour as the time format of the active language writes it ("7:00 AM")."""
    return [(h, formats.time_format(dt.time(h), "TIME_FORMAT")) for h in range(24)]


class NotificationSettingsForm(forms.Form):
    """Per kind: how to deliver, and its timing where the kind has one; the digest hour."""

    digest_hour = forms.TypedChoiceField(
        label=_("Send my daily digest at"),
        choices=hour_choices,
        coerce=int,
        help_text=_("In your own time zone."),
    )

    def __init__(self, *args, user, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds_for_role(user.role)
        self.fields["digest_hour"].initial = current.digest_hour
        for kind in self.kinds:
            self.fields[f"delivery_{kind.name}"] = forms.ChoiceField(
                label=kind.label,
                choices=Delivery.choices,
                initial=delivery_for(current, kind.name),
                help_text=kind.description,
            )
            if kind.timing:
                self.fields[f"timing_{kind.name}"] = forms.IntegerField(
                    label=kind.timing.label,
                    min_value=kind.timing.minimum,
                    max_value=kind.timing.maximum,
                    initial=current.timing.get(kind.name, kind.timing.default),
                )
        self.fields[f"delivery_{DIGEST_KIND}"] = forms.ChoiceField(
            label=gettext("The daily digest itself"),
            choices=[
                (Delivery.IMMEDIATE, gettext("Send it")),
                (Delivery.OFF, gettext("Don't send it")),
            ],
            initial=(
                Delivery.OFF
                if current.delivery.get(DIGEST_KIND) == Delivery.OFF
                else Delivery.IMMEDIATE
            ),
        )

    def kind_rows(self) -> list[dict]:
        """Per kind, its delivery field and its timing field (None if it has no timing)."""
        return [
            {
                "kind": kind,
                "delivery": self[f"delivery_{kind.name}"],
                "timing": self[f"timing_{kind.name}"] if kind.timing else None,
            }
            for kind in self.kinds
        ]

    def delivery(self) -> dict[str, str]:
        names = [kind.name for kind in self.kinds] + [DIGEST_KIND]
        return {name: self.cleaned_data[f"delivery_{name}"] for name in names}

    def timing(self) -> dict[str, int]:
        return {
            kind.name: self.cleaned_data[f"timing_{kind.name}"]
            for kind in self.kinds
            if kind.timing
        }
