from django.urls import path

from contacts.views import reminders

urlpatterns: list = [
    path(
        "contacts/<int:contact_id>/reminders/",
        reminders.reminder_add,
        name="reminder_add",
    ),
    path(
        "contacts/<int:contact_id>/reminders/<int:reminder_id>/cancel/",
        reminders.reminder_cancel,
        name="reminder_cancel",
    ),
]
