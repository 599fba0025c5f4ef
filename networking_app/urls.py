from django.contrib import admin
from django.urls import include, path

from contacts.views import met as met_views
from networking_app import views

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("networking_app.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("my/", include("contacts.urls")),
    path("mentoring/", include("mentoring.urls")),
    path("events/", include("events.urls")),
    path("", include("networking_app.accounts.urls_data")),
    path("", include("networking_app.notifications.urls")),
    path("staff/", include("networking_app.console.urls_staff")),
    path("staff/", include("networking_app.console.urls")),
    path("dev/mail/", include("networking_app.devmail.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    # The installable app (contacts/views/met.py): from the root, as browsers expect them.
    path("manifest.webmanifest", met_views.web_manifest, name="web_manifest"),
    path("sw.js", met_views.service_worker, name="service_worker"),
    # Django's set_language: the footer's language choice for visitors (templates/_partials/).
    path("i18n/", include("django.conf.urls.i18n")),
]
