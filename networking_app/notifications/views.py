from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from networking_app.accounts.selectors import user_active_get
from networking_app.notifications import links, selectors, services
from networking_app.notifications.forms import NotificationSettingsForm
from networking_app.notifications.kinds import get_kind
from networking_app.notifications.models import Delivery, ReminderState
from networking_app.notifications.services import DIGEST_KIND

# A signed link's action: (the button, what pressing it will do).
ACTION_LABELS = {
    "snooze1": (
        gettext_lazy("Snooze this reminder for a day"),
        gettext_lazy("We will email you about it again tomorrow."),
    ),
    "snooze7": (
        gettext_lazy("Snooze this reminder for a week"),
        gettext_lazy("We will email you about it again in a week."),
    ),
    "done": (
        gettext_lazy("Mark this reminder as done"),
        gettext_lazy("It is finished, and we will not remind you again."),
    ),
}


@login_required
def reminders_page(request):
    current = services.settings_for(request.user)
    form = NotificationSettingsForm(request.POST or None, user=request.user, current=current)
    if request.method == "POST" and form.is_valid():
        services.settings_update(
            user=request.user,
            digest_hour=form.cleaned_data["digest_hour"],
            delivery=form.delivery(),
            timing=form.timing(),
        )
        messages.success(request, _("Your reminder settings are saved."))
        return redirect("notifications:reminders")
    reminders = list(selectors.reminders_open_for(user=request.user)[:200])
    context = {
        "items": selectors.reminder_items(reminders),
        "form": form,
        "digest_label": Delivery.DIGEST.label,
    }
    return render(request, "notifications/reminders.html", context)


@require_POST
@login_required
def reminder_snooze(request, reminder_id: int, days: int):
    if days not in (1, 7):
        raise Http404
    reminder = selectors.reminder_get_for_user(user=request.user, reminder_id=reminder_id)
    services.reminder_snooze(reminder=reminder, days=days)
    messages.success(request, _("Snoozed for a day.") if days == 1 else _("Snoozed for a week."))
    return redirect("notifications:reminders")


@require_POST
@login_required
def reminder_done(request, reminder_id: int):
    reminder = selectors.reminder_get_for_user(user=request.user, reminder_id=reminder_id)
    services.reminder_done(reminder=reminder)
    messages.success(request, _("Marked as done."))
    return redirect("notifications:reminders")


def _invalid_link(request, what: str):
    context = {"what": what, "max_days": links.LINK_MAX_AGE // (24 * 60 * 60)}
    return render(request, "notifications/link_invalid.html", context, status=400)


def reminder_action(request, token: str):
    """Snooze or done from an email: GET asks (mail scanners follow links), POST acts."""
    try:
        reminder_id, action = links.read_reminder_token(token)
    except signing.SignatureExpired:
        return _invalid_link(request, "expired")
    except signing.BadSignature:
        return _invalid_link(request, "tampered")
    reminder = selectors.reminder_from_link(reminder_id=reminder_id)
    if reminder is None:
        return _invalid_link(request, "gone")
    kind = get_kind(reminder.kind)
    # Opened from an email, often without signing in: in the reader's zone, as the email was.
    with timezone.override(services.user_zone(reminder.user)):
        item = (selectors.reminder_items([reminder]) or [None])[0]
    finished = reminder.state in (ReminderState.DONE, ReminderState.CANCELLED)
    if request.method == "POST" and not finished:
        if action == "done":
            services.reminder_done(reminder=reminder)
            result = _("Done. This reminder will not come back.")
        else:
            days = 1 if action == "snooze1" else 7
            services.reminder_snooze(reminder=reminder, days=days)
            result = (
                _("Snoozed: we will remind you again in a day.")
                if days == 1
                else _("Snoozed: we will remind you again in a week.")
            )
        return render(
            request,
            "notifications/reminder_action.html",
            {"result": result, "item": item, "kind": kind, "action": action},
        )
    button, explanation = ACTION_LABELS[action]
    context = {
        "label": button,
        "explanation": explanation,
        "item": item,
        "kind": kind,
        "finished": finished,
        "reminder": reminder,
    }
    return render(request, "notifications/reminder_action.html", context)


@csrf_exempt  # RFC 8058 one-click: the mail client POSTs without a session; the token decides
def unsubscribe(request, token: str):
    try:
        user_id, kind_name = links.read_unsubscribe_token(token)
    except signing.BadSignature:
        return _invalid_link(request, "tampered")
    user = user_active_get(user_id=user_id)
    if user is None:
        return _invalid_link(request, "gone")
    kind = get_kind(kind_name)
    if kind_name == DIGEST_KIND:
        label = _("the daily digest")
    elif kind:
        label = _("“%(kind)s” reminders") % {"kind": kind.label}
    else:
        label = _("these reminders")
    if request.method == "POST":
        services.unsubscribe(user=user, kind=kind_name)
        return render(request, "notifications/unsubscribe.html", {"done": True, "label": label})
    return render(request, "notifications/unsubscribe.html", {"done": False, "label": label})
