from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The career office's console: programme dashboard, reports and administration."""

    name = "networking_app.console"
    label = "console"
