"""Email capture's pages: the student's address with what it logged and the people it
proposes, and the webhook an inbound-mail service posts each message to."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from contacts.capture import selectors, services
from contacts.capture.limits import rate_allows
from contacts.capture.models import DropReason
from networking_app.accounts.decorators import network_required
from networking_app.core.form_errors import error_text

# The webhook's request: the raw message as the body, its envelope in two headers, and an
# HMAC-SHA256 of the body with CAPTURE_WEBHOOK_SECRET (docs/operations.md, "Email capture").
SIGNATURE_HEADER = "X-Capture-Signature"
RECIPIENT_HEADER = "X-Capture-Recipient"
SENDER_HEADER = "X-Capture-Sender"
MAX_RECIPIENTS = 20


@require_safe
@network_required
def capture_page(request):
    page = selectors.capture_page(user=request.user)
    return render(request, "contacts/capture.html", {"page": page})


@require_POST
@network_required
def capture_rotate(request):
    if not settings.CAPTURE_DOMAIN:
        raise Http404
    address = services.capture_address_rotate(user=request.user)
    messages.success(
        request,
        _("Your new address is %(email)s. The old one no longer logs anything.")
        % {"email": services.capture_email(address)},
    )
    return redirect("contacts:capture")


@require_POST
@network_required
def capture_accept(request, captured_id: int):
    captured = selectors.captured_get_for_user(user=request.user, captured_id=captured_id)
    try:
        contact = services.capture_proposal_accept(captured=captured)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("contacts:capture")
    messages.success(
        request,
        _("%(name)s is now one of your contacts, and the email is logged.")
        % {"name": contact.name},
    )
    return redirect("contacts:detail", contact_id=contact.pk)


@require_POST
@network_required
def capture_dismiss(request, captured_id: int):
    captured = selectors.captured_get_for_user(user=request.user, captured_id=captured_id)
    services.capture_proposal_dismiss(captured=captured)
    messages.success(request, _("Dismissed: nothing of that email is kept."))
    return redirect("contacts:capture")


def _signed(body: bytes, signature: str) -> bool:
    expected = hmac.new(settings.CAPTURE_WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    given = signature.strip().lower().removeprefix("sha256=")
    return hmac.compare_digest(given.encode(), expected.encode())


@csrf_exempt  # a server posts here, not a browser: the signature is the check
@require_POST
def inbound(request):
    """One message from an inbound-mail service. 200 whatever became of it (accepted or
    dropped: the answer tells a prober nothing), 401 for a wrong signature, 413 over
    CAPTURE_MAX_BYTES, 429 over a rate limit and 500 on an error: the service retries those,
    and a retried message logs nothing twice."""
    if not (settings.CAPTURE_WEBHOOK_SECRET and settings.CAPTURE_DOMAIN):
        raise Http404
    limit = settings.CAPTURE_MAX_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = b"" if length > limit else request.read(limit + 1)
    if length > limit or len(body) > limit:
        services.drop_count(reason=DropReason.TOO_BIG)
        return HttpResponse(status=413)
    if not _signed(body, request.headers.get(SIGNATURE_HEADER, "")):
        services.drop_count(reason=DropReason.SIGNATURE)
        return HttpResponse(status=401)
    recipients = list(
        dict.fromkeys(
            r.strip().lower() for r in request.headers.get(RECIPIENT_HEADER, "").split(",")
        )
    )
    recipients = [r for r in recipients if r][:MAX_RECIPIENTS]
    if not recipients:
        return HttpResponse(f"{RECIPIENT_HEADER} is missing.", status=400)
    sender = request.headers.get(SENDER_HEADER, "").strip()
    for recipient in recipients:
        token = services.token_from_recipient(recipient)
        if token is not None and not rate_allows(token=token, sender=sender):
            services.drop_count(reason=DropReason.RATE)
            return HttpResponse(status=429, headers={"Retry-After": "600"})
    for recipient in recipients:
        services.capture_ingest(raw=body, envelope_from=sender, envelope_to=recipient)
    return JsonResponse({"received": True})
