"""Staff: is email going out? Counts by status, the emails that failed, and a retry button.

Only envelopes are read (recipient, subject, error): staff never see what an email said.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Min
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from networking_app.accounts.decorators import staff_required
from networking_app.core.audit import audit_record
from networking_app.notifications.models import EmailStatus, OutgoingEmail
from networking_app.notifications.outbox import outbox_retry

FAILED_SHOWN = 100
ENVELOPE = ("pk", "kind", "to", "subject", "attempts", "last_error", "created_at", "status")


def email_counts_by_status() -> dict[str, int]:
    counts = dict.fromkeys(EmailStatus.values, 0)
    rows = OutgoingEmail.objects.order_by().values_list("status").annotate(n=Count("pk"))
    counts.update(dict(rows))
    return counts


def failed_email_count() -> int:
    return OutgoingEmail.objects.filter(status=EmailStatus.FAILED).count()


@staff_required
def staff_emails(request):
    counts = email_counts_by_status()
    failed = list(
        OutgoingEmail.objects.filter(status=EmailStatus.FAILED)
        .only(*ENVELOPE)
        .order_by("-created_at", "-pk")[:FAILED_SHOWN]
    )
    oldest_queued = OutgoingEmail.objects.filter(status=EmailStatus.QUEUED).aggregate(
        oldest=Min("created_at")
    )["oldest"]
    context = {
        "counts": [(status, counts[status.value]) for status in EmailStatus],
        "failed": failed,
        "failed_total": counts[EmailStatus.FAILED],
        "oldest_queued": oldest_queued,
    }
    return render(request, "accounts/staff_emails.html", context)


@require_POST
@staff_required
def staff_email_retry(request, email_id: int):
    email = get_object_or_404(OutgoingEmail.objects.only(*ENVELOPE), pk=email_id)
    to = ", ".join(email.to)
    if email.status != EmailStatus.FAILED:
        messages.info(
            request, f"The email to {to} is {email.get_status_display().lower()}: not retried."
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
        messages.success(request, f"The email to {to} is queued to be sent again.")
    return redirect("staff:emails")
