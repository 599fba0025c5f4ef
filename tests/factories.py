import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings

from networking_app.accounts.models import (
    Affiliation,
    ApprovalStatus,
    Profile,
    Role,
    StudentProfile,
    User,
    VolunteerProfile,
)

PASSWORD = "correct-horse-battery-staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.edu")
    role = Role.STUDENT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            if extracted is not False:
                EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)

    @factory.post_generation
    def profile(obj, create, extracted, **kwargs):
        if create:
            Profile.objects.create(
                user=obj,
                display_name=kwargs.get("display_name", obj.email.split("@")[0].title()),
                time_zone=kwargs.get("time_zone", settings.DEFAULT_USER_TIME_ZONE),
                language=kwargs.get("language", ""),
            )


class StudentFactory(UserFactory):
    role = Role.STUDENT

    @factory.post_generation
    def student_profile(obj, create, extracted, **kwargs):
        if create:
            StudentProfile.objects.create(
                user=obj, class_year=kwargs.get("class_year", 2027), major=kwargs.get("major", "")
            )


class VolunteerFactory(UserFactory):
    role = Role.VOLUNTEER
    email = factory.Sequence(lambda n: f"volunteer{n}@example.org")

    @factory.post_generation
    def volunteer_profile(obj, create, extracted, **kwargs):
        if create:
            VolunteerProfile.objects.create(
                user=obj,
                affiliation=kwargs.get("affiliation", Affiliation.ALUMNI),
                class_year=kwargs.get("class_year", 2010),
                status=kwargs.get("status", ApprovalStatus.APPROVED),
            )


class StaffFactory(UserFactory):
    role = Role.STAFF
    is_staff = True
    email = factory.Sequence(lambda n: f"staff{n}@example.edu")

    @factory.post_generation
    def mfa(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            TOTP.activate(obj, TOTP_SECRET)
