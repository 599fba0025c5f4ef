from django.urls import path

from mentoring.views import photos as photo_views
from mentoring.views import volunteer as views

urlpatterns: list = [
    path("volunteer/profile/", views.volunteer_profile, name="volunteer_profile"),
    path(
        "volunteer/profile/photo/remove/",
        photo_views.volunteer_photo_remove,
        name="volunteer_photo_remove",
    ),
    path(
        "volunteers/<int:mentor_id>/photo/<slug:version>/",
        photo_views.volunteer_photo,
        name="volunteer_photo",
    ),
    path("volunteer/resume/", views.volunteer_resume, name="volunteer_resume"),
    path("volunteer/availability/", views.availability, name="availability"),
    path("volunteer/availability/windows/", views.window_add, name="window_add"),
    path(
        "volunteer/availability/windows/<int:window_id>/delete/",
        views.window_delete,
        name="window_delete",
    ),
    path("volunteer/availability/days/", views.override_add, name="override_add"),
    path(
        "volunteer/availability/days/<int:override_id>/delete/",
        views.override_delete,
        name="override_delete",
    ),
]
