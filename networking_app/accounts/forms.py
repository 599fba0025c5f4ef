from __future__ import annotations

from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.db import transaction
from django.utils import timezone

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
    (Role.STUDENT.value, "I am a student"),
    (Role.VOLUNTEER.value, "I am an alumna/alumnus, parent or friend of the school, here to help"),
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
    domains = " or ".join("@" + d for d in settings.STUDENT_EMAIL_DOMAINS)
    return (
        f"Student accounts need a university email address ending in {domains}. "
        "Alumni, parents and friends of the school can sign up as volunteers."
    )


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
        label="I am signing up as", choices=SIGNUP_ROLES, widget=forms.RadioSelect
    )
    display_name = forms.CharField(
        label="Your name",
        max_length=120,
        help_text="As you would like others to see it.",
        validators=[validate_one_line],
    )
    affiliation = forms.ChoiceField(
        label="Your connection to the school (volunteers)",
        choices=[("", "Choose…"), *Affiliation.choices],
        required=False,
    )
    class_year = class_year_field("Class year (optional)")
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=time_zone_choices,
        help_text="Every date and reminder is shown in this time zone.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].initial = settings.DEFAULT_USER_TIME_ZONE
        if not self.is_bound:
            # Pre-select the browser's zone (static/js/rapport.js) until the user picks one.
            self.fields["time_zone"].widget.attrs["data-detect-time-zone"] = "true"
        if settings.STUDENT_EMAIL_DOMAINS:
            domains = ", ".join("@" + d for d in settings.STUDENT_EMAIL_DOMAINS)
            self.fields["email"].help_text = f"Students: use your university address ({domains})."

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        email = cleaned.get("email")
        refusal = student_email_refusal(email) if role == Role.STUDENT and email else None
        if refusal:
            self.add_error("email", refusal)
        if role == Role.VOLUNTEER and not cleaned.get("affiliation"):
            self.add_error("affiliation", "Tell us how you are connected to the school.")
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


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        choices=time_zone_choices,
        help_text="Every date and reminder is shown in this time zone.",
    )

    class Meta:
        model = Profile
        fields = ["display_name", "time_zone"]
        labels = {"display_name": "Your name"}

    def clean_display_name(self):
        value = self.cleaned_data["display_name"]
        validate_one_line(value)
        return value


class StudentProfileForm(forms.ModelForm):
    class_year = class_year_field("Class year")

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


class VolunteerProfileForm(forms.ModelForm):
    class_year = class_year_field("Class year (alumni)")

    class Meta:
        model = VolunteerProfile
        fields = ["affiliation", "class_year"]
        labels = {"affiliation": "Connection to the school"}


class StaffCreateForm(forms.Form):
    email = forms.EmailField(label="Email address")
    display_name = forms.CharField(label="Name", max_length=120, validators=[validate_one_line])

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("Someone already has an account with this address.")
        return email


class BecomeVolunteerForm(forms.Form):
    confirm = forms.BooleanField(
        label="Turn my account into a volunteer account",
        help_text="You will no longer use the student pages (the directory, match rounds as a "
        "student); your contacts, conversations and notes stay yours.",
    )
