from django.urls import include, path

app_name = "contacts"
urlpatterns = [
    path("", include("contacts.urls_people")),
    path("", include("contacts.urls_pipeline")),
    path("", include("contacts.urls_reminders")),
    path("", include("contacts.urls_import")),
    path("", include("contacts.urls_export")),
    path("", include("contacts.capture.urls")),
    path("", include("contacts.urls_met")),
]
