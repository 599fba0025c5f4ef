from django.urls import path

from mentoring.views import directory as views

urlpatterns: list = [
    path("directory/", views.directory, name="directory"),
    path("directory/warm-paths/", views.warm_paths, name="warm_paths"),
    path("directory/<int:mentor_id>/", views.mentor_detail, name="mentor"),
    path("directory/<int:mentor_id>/add-to-contacts/", views.add_contact, name="add_contact"),
]
