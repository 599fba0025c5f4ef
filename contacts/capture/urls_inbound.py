from django.urls import path

from contacts.capture import views

# Included by networking_app/urls.py under /capture/: the inbound-mail service's webhook.
urlpatterns: list = [
    path("inbound/", views.inbound, name="capture_inbound"),
]
