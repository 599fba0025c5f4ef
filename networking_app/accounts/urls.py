from django.urls import path, re_path

from networking_app.accounts import staff_email_views, staff_views, views, views_email

urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile_edit, name="profile"),
    # Ahead of allauth's own (networking_app/urls.py includes these first): same paths, names.
    path("accounts/email/", views_email.email, name="account_email"),
    re_path(
        r"^accounts/confirm-email/(?P<key>[-:\w]+)/$",
        views_email.confirm_email,
        name="account_confirm_email",
    ),
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
