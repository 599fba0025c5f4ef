from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "networking_app.notifications"
    label = "notifications"
    verbose_name = "Email and reminders"

    def ready(self) -> None:
        from networking_app.notifications import checks  # noqa: F401 (registers the checks)
        from networking_app.notifications.closing import register_closing_steps
        from networking_app.notifications.my_data import register_data_files
        from networking_app.notifications.retention import register_retention_rules

        register_closing_steps()
        register_data_files()
        register_retention_rules()
