import pytest


@pytest.fixture
def outbox_backend(settings):
    """Emails go through the outbox; delivery lands in django.core.mail.outbox."""
    settings.EMAIL_BACKEND = "networking_app.notifications.outbox.OutboxBackend"
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings
