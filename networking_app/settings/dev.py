"""Local development (`make run`): embedded defaults, nothing to install."""

from .base import *  # noqa: F403
from .base import OUTBOX_DELIVERY_BACKEND, env

DEBUG = env.bool("DEBUG", True)
SENT_MAIL_PAGE = DEBUG and (
    OUTBOX_DELIVERY_BACKEND == "networking_app.devmail.backends.MailboxBackend"
)
# Email capture works out of the box under `make run` (the Procfile's `capture` process listens
# on 127.0.0.1:2525): send to the address shown on "Log emails automatically" with any SMTP
# client (docs/operations.md, "Email capture").
CAPTURE_DOMAIN = env.str("CAPTURE_DOMAIN", "capture.localhost").strip().lstrip("@").lower()
