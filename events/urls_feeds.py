"""Calendar files and subscriptions (events.views_feeds), included by events/urls.py."""

from django.urls import path

from events import views_feeds as views

urlpatterns = [
    path("<int:ics_event_id>/event.ics", views.event_ics, name="event_ics"),
    path("calendar/public.ics", views.feed_public, name="feed_public"),
    path("calendar/subscribe/", views.feed_settings, name="feed_settings"),
    path("calendar/subscribe/create/", views.feed_create, name="feed_create"),
    path("calendar/subscribe/rotate/", views.feed_rotate, name="feed_rotate"),
    path("calendar/subscribe/revoke/", views.feed_revoke, name="feed_revoke"),
    path("calendar/feed/<slug:feed_token>.ics", views.feed_personal, name="feed_personal"),
]
