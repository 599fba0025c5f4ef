from django.urls import path

from networking_app.accounts import staff_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile_edit, name="profile"),
]

staff_urlpatterns = (
    [
        path("", views.staff_home, name="home"),
        path("team/", staff_views.staff_team, name="team"),
        path(
            "volunteers/<int:user_id>/review/",
            staff_views.volunteer_review_view,
            name="volunteer_review",
        ),
    ],
    "staff",
)
