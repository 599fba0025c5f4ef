from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from networking_app.devmail.selectors import mailbox_message_get, mailbox_messages
from networking_app.notifications.selectors import outbox_latest

OUTBOX_SHOWN = 50


def _require_enabled() -> None:
    # The page only exists while mail goes to the development mailbox (never in production).
    if not settings.SENT_MAIL_PAGE:
        raise Http404


@require_safe
def sent_mail_list(request):
    _require_enabled()
    # The outbox too: with no worker running, mail waits there and never reaches the files.
    outbox = outbox_latest(limit=OUTBOX_SHOWN)
    context = {"messages_sent": mailbox_messages(), "outbox": outbox, "outbox_shown": OUTBOX_SHOWN}
    return render(request, "devmail/list.html", context)


@require_safe
def sent_mail_detail(request, name: str):
    _require_enabled()
    message = mailbox_message_get(name=name)
    if message is None:
        raise Http404
    return render(request, "devmail/detail.html", {"message": message})


@require_safe
def sent_mail_html(request, name: str):
    _require_enabled()
    message = mailbox_message_get(name=name)
    if message is None or not message.html:
        raise Http404
    response = HttpResponse(message.html, content_type="text/html; charset=utf-8")
    # Shown in a sandboxed frame: the message's own HTML can run nothing on our origin.
    response["Content-Security-Policy"] = "sandbox allow-popups allow-popups-to-escape-sandbox"
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response
