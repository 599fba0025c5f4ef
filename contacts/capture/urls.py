from django.urls import path

from contacts.capture import views

# Included by contacts/urls.py (under /my/, namespace "contacts").
urlpatterns: list = [
    path("log-emails/", views.capture_page, name="capture"),
    path("log-emails/new-address/", views.capture_rotate, name="capture_rotate"),
    path("log-emails/<int:captured_id>/add/", views.capture_accept, name="capture_accept"),
    path("log-emails/<int:captured_id>/dismiss/", views.capture_dismiss, name="capture_dismiss"),
]
