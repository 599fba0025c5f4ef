from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "networking_app.notifications"
    label = "notifications"
    verbose_name = "Email and reminders"
