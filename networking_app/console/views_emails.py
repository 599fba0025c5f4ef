"""Staff: is email going out? Counts by status, the emails that failed, and a retry button.

Only envelopes are read (recipient, subject, error): staff never see what an email said.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from networking_app.accounts.decorators import staff_required
from networking_app.core.audit import audit_record
from networking_app.notifications import selectors
from networking_app.notifications.models import EmailStatus
from networking_app.notifications.outbox import outbox_retry

FAILED_SHOWN = 100


@staff_required
def staff_emails(request):
    counts = selectors.email_counts_by_status()
    context = {
        "counts": [(status, counts[status.value]) for status in EmailStatus],
        "failed": selectors.failed_emails(limit=FAILED_SHOWN),
        "failed_total": counts[EmailStatus.FAILED],
        "oldest_queued": selectors.oldest_queued_at(),
    }
    return render(request, "console/staff_emails.html", context)


@require_POST
@staff_required
def staff_email_retry(request, email_id: int):
    email = selectors.email_envelope_get(email_id=email_id)
    if email is None:
        raise Http404
    to = ", ".join(email.to)
    if email.status != EmailStatus.FAILED:
        messages.info(
            request,
            _("The email to %(to)s is %(status)s: not retried.")
            % {"to": to, "status": email.get_status_display().lower()},
        )
    else:
        outbox_retry(email=email)
        audit_record(
            actor=request.user,
            action="email.retry",
            summary=f"Retried a failed {email.kind or 'email'}",
            target=email,
            email_id=email.pk,
        )
        messages.success(request, _("The email to %(to)s is queued to be sent again.") % {"to": to})
    return redirect("staff:emails")
