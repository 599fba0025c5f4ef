"""Local development (`make run`): embedded defaults, nothing to install."""

from .base import *  # noqa: F403
from .base import OUTBOX_DELIVERY_BACKEND, env

DEBUG = env.bool("DEBUG", True)
SENT_MAIL_PAGE = DEBUG and (
    OUTBOX_DELIVERY_BACKEND == "networking_app.devmail.backends.MailboxBackend"
)
