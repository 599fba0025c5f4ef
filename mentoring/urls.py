from django.urls import include, path

app_name = "mentoring"
urlpatterns = [
    path("", include("mentoring.urls_volunteer")),
    path("", include("mentoring.urls_directory")),
    path("", include("mentoring.urls_requests")),
    path("", include("mentoring.urls_rounds")),
    path("", include("mentoring.urls_onboarding")),
]
