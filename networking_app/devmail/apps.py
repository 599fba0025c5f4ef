from django.apps import AppConfig


class DevmailConfig(AppConfig):
    name = "networking_app.devmail"
    label = "devmail"
    verbose_name = "Development mailbox"
