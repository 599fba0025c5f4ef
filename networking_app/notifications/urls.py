from django.urls import path

from networking_app.notifications import views

app_name = "notifications"
urlpatterns = [
    path("reminders/", views.reminders_page, name="reminders"),
    path(
        "reminders/<int:reminder_id>/snooze/<int:days>/",
        views.reminder_snooze,
        name="reminder_snooze",
    ),
    path("reminders/<int:reminder_id>/done/", views.reminder_done, name="reminder_done"),
    path("r/<str:token>/", views.reminder_action, name="reminder_action"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
