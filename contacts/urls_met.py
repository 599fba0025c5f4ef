from django.urls import path

from contacts.views import met

urlpatterns: list = [
    path("met/", met.met_page, name="met"),
    path("met/recent/", met.met_recent_list, name="met_recent"),
    path("met/sync/", met.met_sync, name="met_sync"),
]
