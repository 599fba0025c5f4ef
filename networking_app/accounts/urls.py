from django.urls import path

from networking_app.accounts import staff_email_views, staff_views, views

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
        path("emails/", staff_email_views.staff_emails, name="emails"),
        path(
            "emails/<int:email_id>/retry/",
            staff_email_views.staff_email_retry,
            name="email_retry",
        ),
    ],
    "staff",
)
