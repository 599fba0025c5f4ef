"""What "download my data" (networking_app/accounts/my_data.py) holds of notifications: the
person's reminders and how they are emailed. Registered in NotificationsConfig.ready()."""

from __future__ import annotations

from networking_app.accounts.models import User
from networking_app.accounts.my_data import DataFile, export_fields, register
from networking_app.notifications.models import NotificationSettings, Reminder


def reminders_data(user: User) -> list[dict]:
    return [
        export_fields(
            r,
            ["kind", "subject_key", "due_at", "state", "text", "repeat_days", "last_sent_at"],
        )
        for r in Reminder.objects.filter(user=user).order_by("due_at")
    ]


def notification_settings_data(user: User) -> dict | None:
    settings_row = NotificationSettings.objects.filter(user=user).first()
    if settings_row is None:
        return None
    return export_fields(settings_row, ["digest_hour", "delivery", "timing", "updated_at"])


def register_data_files() -> None:
    register(
        DataFile("reminders.json", "your reminders", reminders_data, order=30),
        DataFile(
            "notification_settings.json",
            "how and when you are emailed",
            notification_settings_data,
            order=31,
        ),
    )
