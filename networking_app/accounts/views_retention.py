"""The page an inactive graduate's notice links to: signing in to reach it keeps the account
(a login is what calls a deletion off), and someone still signed in keeps it with one button."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from networking_app.accounts.retention import account_keep, pending_deletion


@login_required
def keep_view(request):
    if request.method == "POST":
        if pending_deletion(request.user) is not None:
            account_keep(user=request.user)
            messages.success(request, gettext("Your account is kept."))
        return redirect("account_keep")
    return render(
        request,
        "accounts/keep.html",
        {
            "delete_after": pending_deletion(request.user),
            "inactive_days": settings.RETENTION_GRADUATE_INACTIVE_DAYS,
            "notice_days": settings.RETENTION_NOTICE_DAYS,
        },
    )
