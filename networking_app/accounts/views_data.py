"""A person's own data: download all of it, or close the account."""

from __future__ import annotations

import contextlib

from django import forms
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from networking_app.accounts.decorators import role_required
from networking_app.accounts.deletion import account_delete, account_may_delete
from networking_app.accounts.models import Role
from networking_app.accounts.my_data import data_archive, data_archive_filename


class AccountDeleteForm(forms.Form):
    """Proof that the person at the keyboard owns the account: the password, or the email
    address typed out for an account that has no password (signed up by a link)."""

    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        required=False,
    )
    email = forms.CharField(
        label=_("Your email address"),
        help_text=_("Type the address you sign in with."),
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.has_usable_password():
            del self.fields["email"]
            self.fields["password"].required = True
        else:
            del self.fields["password"]
            self.fields["email"].required = True

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(gettext("That is not your password."))
        return password

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if email.casefold() != self.user.email.casefold():
            raise forms.ValidationError(gettext("That is not the address of this account."))
        return email


@login_required
def data_page(request):
    return render(
        request,
        "accounts/data.html",
        {"may_delete": account_may_delete(request.user)},
    )


@login_required
def data_download(request):
    archive = data_archive(user=request.user)
    response = HttpResponse(archive, content_type="application/zip")
    filename = data_archive_filename(request.user)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(Role.STUDENT, Role.VOLUNTEER)
def delete_view(request):
    form = AccountDeleteForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        # A second click waits for the first one's lock, then finds the account gone.
        with contextlib.suppress(ValidationError):
            account_delete(user=request.user)
        logout(request)
        return redirect("account_deleted")
    return render(request, "accounts/delete.html", {"form": form})


@require_safe
def deleted_view(request):
    return render(request, "accounts/deleted.html")
