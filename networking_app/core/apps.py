from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared core: the audit log of staff actions and the admin's base classes."""

    name = "networking_app.core"
    label = "core"
    verbose_name = "Audit log"
