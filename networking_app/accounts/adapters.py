from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from networking_app.accounts.models import Role


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # Only students and volunteers sign up; the role is set before the first save so the
        # row never exists without one. Staff accounts are created by staff.
        role = form.cleaned_data.get("role")
        user.role = role if role in (Role.STUDENT, Role.VOLUNTEER) else Role.STUDENT
        user.is_staff = False
        user.is_superuser = False
        return super().save_user(request, user, form, commit=commit)

    def render_mail(self, template_prefix, email, context, headers=None):
        """allauth's messages get an HTML part too, from templates/emails/allauth.html, built
        from their text part (allauth ships text templates only)."""
        message = super().render_mail(template_prefix, email, context, headers=headers)
        if isinstance(message, EmailMultiAlternatives) and not message.alternatives:
            html = render_to_string(
                "emails/allauth.html",
                {"body": message.body, "school_name": settings.SCHOOL_NAME},
            )
            message.attach_alternative(html, "text/html")
        return message

    def send_mail(self, template_prefix, email, context):
        context = {"school_name": settings.SCHOOL_NAME, **context}
        return super().send_mail(template_prefix, email, context)
