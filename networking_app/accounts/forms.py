from __future__ import annotations

from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from networking_app.accounts.hooks import signup_steps_run
from networking_app.accounts.models import (
    Affiliation,
    Profile,
    Role,
    StudentProfile,
    User,
    VolunteerProfile,
    time_zone_choices,
)
from networking_app.accounts.services import profile_create_for_role
from networking_app.accounts.validators import validate_one_line

SIGNUP_ROLES = [
    (Role.STUDENT.value, _("I am a student")),
    (
        Role.VOLUNTEER.value,
        _("I am an alumna/alumnus, parent or friend of the school, here to help"),
    ),
]


def email_domain_allowed(email: str, domains: list[str]) -> bool:
    """True when the address is at one of the domains or one of their subdomains."""
    if not domains:
        return True
    domain = email.rsplit("@", 1)[-1].lower().rstrip(".")
    return any(domain == allowed or domain.endswith("." + allowed) for allowed in domains)


def student_email_refusal(email: str) -> str | None:
    """Why a student may not use this address (STUDENT_EMAIL_DOMAINS), or None if they may.
    The same rule for signing up, adding an address and choosing the primary one."""
    if email_domain_allowed(email, settings.STUDENT_EMAIL_DOMAINS):
        return None
    domains = get_text_list(["@" + d for d in settings.STUDENT_EMAIL_DOMAINS], gettext("or"))
    return gettext(
        "Student accounts need a university email address ending in %(domains)s. "
        "Alumni, parents and friends of the school can sign up as volunteers."
    ) % {"domains": domains}


def class_year_field(label: str) -> forms.IntegerField:
    this_year = timezone.now().year
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=1900,
        max_value=this_year + 8,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class SignupForm(AllauthSignupForm):
    """allauth's sign-up, plus the role and what the profile needs from day one."""

    field_order = ["role", "display_name", "email", "password1", "password2"]

    role = forms.ChoiceField(
        label=_("I am signing up as"), choices=SIGNUP_ROLES, widget=forms.RadioSelect
    )
    display_name = forms.CharField(
        label=_("Your name"),
        max_length=120,
        help_text=_("As you would like others to see it."),
        validators=[validate_one_line],
    )
    affiliation = forms.ChoiceField(
        label=_("Your connection to the school (volunteers)"),
        choices=[("", _("Choose…")), *Affiliation.choices],
        required=False,
    )
    class_year = class_year_field(_("Class year (optional)"))
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_("Every date and reminder is shown in this time zone."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].initial = settings.DEFAULT_USER_TIME_ZONE
        if not self.is_bound:
            # Pre-select the browser's zone (static/js/rapport.js) until the user picks one.
            self.fields["time_zone"].widget.attrs["data-detect-time-zone"] = "true"
        if settings.STUDENT_EMAIL_DOMAINS:
            domains = ", ".join("@" + d for d in settings.STUDENT_EMAIL_DOMAINS)
            self.fields["email"].help_text = gettext(
                "Students: use your university address (%(domains)s)."
            ) % {"domains": domains}

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        email = cleaned.get("email")
        refusal = student_email_refusal(email) if role == Role.STUDENT and email else None
        if refusal:
            self.add_error("email", refusal)
        if role == Role.STUDENT and not settings.SSO_STUDENT_PASSWORD_SIGNUP:
            self.add_error(
                "role",
                gettext(
                    "Students sign in with their university account: choose it on the sign-in "
                    "page. Volunteers sign up here."
                ),
            )
        if role == Role.VOLUNTEER and not cleaned.get("affiliation"):
            self.add_error("affiliation", gettext("Tell us how you are connected to the school."))
        return cleaned

    def save(self, request):
        # The user row and its profiles are created together or not at all.
        with transaction.atomic():
            user = super().save(request)
            profile_create_for_role(
                user=user,
                role=self.cleaned_data["role"],
                display_name=self.cleaned_data["display_name"],
                time_zone=self.cleaned_data["time_zone"],
                affiliation=self.cleaned_data.get("affiliation") or "",
                class_year=self.cleaned_data.get("class_year"),
                # The language the pages were in: their emails go out in it too.
                language=getattr(request, "LANGUAGE_CODE", ""),
            )
            # Other apps' steps, e.g. the console's invitation links (accounts/hooks.py).
            signup_steps_run(request=request, user=user)
        return user


class AddEmailForm(AllauthAddEmailForm):
    """allauth's "add an email address", keeping students to STUDENT_EMAIL_DOMAINS."""

    def clean_email(self):
        email = self.cleaned_data["email"]
        refusal = student_email_refusal(email) if self.user.role == Role.STUDENT else None
        if refusal:
            raise forms.ValidationError(refusal, code="student_domain")
        return super().clean_email()


def language_choices() -> list[tuple[str, str]]:
    # Each language in its own name, as people look for it.
    return [("", _("The language of my browser")), *settings.LANGUAGES]


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_("Every date and reminder is shown in this time zone."),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=language_choices,
        required=False,
        help_text=_("The language of these pages and of the emails we send you."),
    )

    class Meta:
        model = Profile
        fields = ["display_name", "time_zone", "language"]
        labels = {"display_name": _("Your name")}

    def clean_display_name(self):
        value = self.cleaned_data["display_name"]
        validate_one_line(value)
        return value


class StudentProfileForm(forms.ModelForm):
    class_year = class_year_field(_("Class year"))

    class Meta:
        model = StudentProfile
        fields = [
            "class_year",
            "major",
            "interests",
            "strengths",
            "career_goals",
            "target_industries",
        ]
        labels = {
            "major": _("Major"),
            "interests": _("Interests"),
            "strengths": _("Strengths"),
            "career_goals": _("Potential career goals"),
            "target_industries": _("Target industries"),
        }


class VolunteerProfileForm(forms.ModelForm):
    class_year = class_year_field(_("Class year (alumni)"))

    class Meta:
        model = VolunteerProfile
        fields = ["affiliation", "class_year"]
        labels = {"affiliation": _("Connection to the school")}


class StaffCreateForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    display_name = forms.CharField(
        label=pgettext_lazy("a person's", "Name"), max_length=120, validators=[validate_one_line]
    )

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                gettext("Someone already has an account with this address.")
            )
        return email


class BecomeVolunteerForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Turn my account into a volunteer account"),
        help_text=_(
            "You will no longer use the student pages (the directory, match rounds as a "
            "student); your contacts, conversations and notes stay yours."
        ),
    )
