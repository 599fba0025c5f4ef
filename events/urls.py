from django.urls import include, path

from events import views, views_staff

app_name = "events"
urlpatterns: list = [
    path("", views.calendar_month, name="calendar"),
    path("week/", views.calendar_week, name="week"),
    path("agenda/", views.calendar_agenda, name="agenda"),
    path("new/", views_staff.event_create, name="create"),
    path("<int:event_id>/", views.event_detail, name="detail"),
    path("<int:event_id>/rsvp/", views.rsvp_create, name="rsvp"),
    path("<int:event_id>/rsvp/cancel/", views.rsvp_cancel, name="rsvp_cancel"),
    path("<int:event_id>/met/", views.met_people, name="met"),
    path("<int:event_id>/edit/", views_staff.event_edit, name="edit"),
    path("<int:event_id>/cancel/", views_staff.event_cancel, name="cancel"),
    path("<int:event_id>/attendees/", views_staff.attendees, name="attendees"),
    path("<int:event_id>/attendees.csv", views_staff.attendees_csv, name="attendees_csv"),
    path("<int:event_id>/check-in/", views_staff.check_in, name="check_in"),
    path("<int:event_id>/check-in/scan/", views_staff.check_in_scan, name="check_in_scan"),
    path("<int:event_id>/check-in/counts/", views_staff.check_in_counts, name="check_in_counts"),
    path(
        "<int:event_id>/check-in/<int:rsvp_id>/",
        views_staff.check_in_rsvp,
        name="check_in_rsvp",
    ),
    path(
        "<int:event_id>/check-in/<int:rsvp_id>/undo/",
        views_staff.check_in_undo,
        name="check_in_undo",
    ),
    path("", include("events.urls_feeds")),
]
