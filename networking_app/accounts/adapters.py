from allauth.account.adapter import DefaultAccountAdapter

# The module allauth's own adapter consumes its rate limits with (it returns the usage, which
# a successful login rolls back).
from allauth.core.internal import ratelimit
from django.core.mail import EmailMultiAlternatives
from django.shortcuts import resolve_url
from django.utils import translation

from networking_app.accounts.known_browsers import browser_knows_account, remember_browser
from networking_app.accounts.models import Role
from networking_app.core.emails import as_recipient, email_context, html_from_text

# Failed logins for one account from every address, for browsers that never signed in to it
# (settings.ACCOUNT_RATE_LIMITS; docs/operations.md, "Failed logins").
ACCOUNT_CEILING = "login_failed_account"
# Where a student lands after sign-up (a URL name: accounts knows no view of mentoring's).
STUDENT_ONBOARDING_URL = "mentoring:onboarding"


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # Only students and volunteers sign up; the role is set before the first save so the
        # row never exists without one. Staff accounts are created by staff.
        role = form.cleaned_data.get("role")
        user.role = role if role in (Role.STUDENT, Role.VOLUNTEER) else Role.STUDENT
        user.is_staff = False
        user.is_superuser = False
        return super().save_user(request, user, form, commit=commit)

    def get_signup_redirect_url(self, request):
        """A new student starts with onboarding (mentoring's "welcome" pages) once their
        address is verified; a volunteer goes home, where their profile waits to be filled."""
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.role == Role.STUDENT:
            return resolve_url(STUDENT_ONBOARDING_URL)
        return super().get_signup_redirect_url(request)

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth counts the "key" rate of login_failed per account, so five wrong passwords
        # from anywhere locked the owner out too. Per (address, account) instead: a stranger's
        # failures hold back the stranger's address only.
        login = credentials.get("email", credentials.get("username", "")).lower()
        return f"{ratelimit.get_ip(request)}:{login}"

    def pre_authenticate(self, request, **credentials) -> None:
        super().pre_authenticate(request, **credentials)  # per address, per (address, account)
        email = credentials.get("email", "").lower()
        if not email or browser_knows_account(request, email):
            return
        usage = ratelimit.consume(request, app="allauth.account", action=ACCOUNT_CEILING, key=email)
        if not usage:
            # Refused before the password was checked: the attempt costs the address nothing.
            self._rollback_login_failed_rl_usage()
            raise self.validation_error("too_many_login_attempts")
        # Rolled back with allauth's own counts when the password turns out right.
        self._login_failed_rl_usage.usage.extend(usage.usage)

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        if response is not None and user.email:
            remember_browser(request, response, user.email)
        return response

    def render_mail(self, template_prefix, email, context, headers=None):
        """allauth renders and sends its own messages (through Django's EMAIL_BACKEND, the
        outbox, like ours), from its text templates: in the recipient's time zone and language
        as every email is (networking_app.core.emails), with an HTML part made from the text
        part. A message to an address without an account (a password reset asked for an
        unknown address) is in the language of the page it was asked from."""
        user = context.get("user")
        language = None if user is not None else translation.get_language()
        with as_recipient(user, language=language):
            message = super().render_mail(template_prefix, email, context, headers=headers)
            if isinstance(message, EmailMultiAlternatives) and not message.alternatives:
                message.attach_alternative(html_from_text(message.body), "text/html")
        return message

    def get_reauthentication_methods(self, user):
        """Staff confirm with their authenticator: allauth sends people to the first method,
        so for staff the second factor comes first (the others stay listed)."""
        methods = super().get_reauthentication_methods(user)
        if getattr(user, "role", None) == Role.STAFF:
            methods.sort(key=lambda method: method["id"] != "mfa_reauthenticate")
        return methods

    def send_mail(self, template_prefix, email, context):
        return super().send_mail(template_prefix, email, email_context(context))
