from django.urls import include, path

app_name = "events"
urlpatterns: list = [
    path("", include("events.urls_feeds")),
]
