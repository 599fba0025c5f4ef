"""System checks for the outbox's settings (run by `manage.py check`, migrate and the deploy
check)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.utils.module_loading import import_string

from networking_app.notifications.outbox import LEASE_RECIPIENTS, SMTP_STEPS


@register()
def outbox_lease_check(app_configs, **kwargs) -> list[Error]:
    """The send lease must outlast the longest an SMTP send can take before it times out:
    a worker still sending when its lease runs out lets another worker send the email again."""
    backend = import_string(settings.OUTBOX_DELIVERY_BACKEND)
    if not (isinstance(backend, type) and issubclass(backend, SmtpBackend)):
        return []
    timeout = settings.EMAIL_TIMEOUT
    if timeout is None:
        return [
            Error(
                "EMAIL_TIMEOUT is not set: a mail server that stops answering would hold a "
                "worker, and its email, past any lease.",
                hint="Set EMAIL_TIMEOUT (seconds), e.g. 20.",
                id="notifications.E001",
            )
        ]
    chain = timeout * (SMTP_STEPS + LEASE_RECIPIENTS)
    lease = settings.OUTBOX_SEND_LEASE_SECONDS
    if lease <= chain:
        return [
            Error(
                f"OUTBOX_SEND_LEASE_SECONDS ({lease}) must be longer than the SMTP timeout "
                f"chain: EMAIL_TIMEOUT ({timeout}) x {SMTP_STEPS + LEASE_RECIPIENTS} network "
                f"steps = {chain} seconds. Otherwise a slow send can go out twice.",
                hint=f"Raise OUTBOX_SEND_LEASE_SECONDS above {chain} or lower EMAIL_TIMEOUT.",
                id="notifications.E002",
            )
        ]
    return []
