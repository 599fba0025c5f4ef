from django.urls import path, re_path

from networking_app.accounts import views, views_email

urlpatterns = [
    path("profile/", views.profile_edit, name="profile"),
    path("profile/become-volunteer/", views.become_volunteer, name="account_become_volunteer"),
    # Ahead of allauth's own (networking_app/urls.py includes these first): same paths, names.
    path("accounts/email/", views_email.email, name="account_email"),
    re_path(
        r"^accounts/confirm-email/(?P<key>[-:\w]+)/$",
        views_email.confirm_email,
        name="account_confirm_email",
    ),
]
