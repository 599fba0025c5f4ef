"""allauth's email views with two of our rules (routed ahead of allauth's in accounts/urls.py,
at the same paths and names):

- a confirmation link for another account, opened while signed in, confirms that address
  and leaves the signed-in person signed in (allauth signs them out, so anyone could sign
  anyone out by sending a link);
- a student cannot make an address outside STUDENT_EMAIL_DOMAINS their primary one (adding
  one is refused by forms.AddEmailForm).
"""

from __future__ import annotations

from allauth.account.views import ConfirmEmailView as AllauthConfirmEmailView
from allauth.account.views import EmailView as AllauthEmailView
from django.contrib import messages
from django.http import HttpResponseRedirect

from networking_app.accounts.forms import student_email_refusal
from networking_app.accounts.models import Role


class ConfirmEmailView(AllauthConfirmEmailView):
    def logout_other_user(self, confirmation) -> None:
        # Whoever holds the link may confirm the address (an anonymous visitor could too);
        # that gives no reason to end the session of whoever happens to be signed in.
        return None

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        confirmation = context.get("confirmation")
        context["signed_in_as_other"] = bool(
            confirmation and user.is_authenticated and user.pk != confirmation.email_address.user_id
        )
        return context


class EmailView(AllauthEmailView):
    def _action_primary(self, request, *args, **kwargs):
        email_address = self._get_email_address(request)
        if email_address and request.user.role == Role.STUDENT:
            refusal = student_email_refusal(email_address.email)
            if refusal:
                messages.error(request, refusal)
                return HttpResponseRedirect(self.get_success_url())
        return super()._action_primary(request, *args, **kwargs)


confirm_email = ConfirmEmailView.as_view()
email = EmailView.as_view()
