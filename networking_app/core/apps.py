from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared core: the audit log of staff actions and the admin's base classes."""

    name = "networking_app.core"
    label = "core"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from networking_app.core import checks  # noqa: F401 (registers the checks)
