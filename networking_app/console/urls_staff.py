"""The console's pages at the top of /staff/, under their historical "staff" namespace
(staff:home, staff:team, staff:emails, staff:email_retry); the rest of the console is in
urls.py under "console"."""

from django.urls import path

from networking_app.console import views_emails, views_team

app_name = "staff"
urlpatterns = [
    path("", views_team.staff_home, name="home"),
    path("team/", views_team.staff_team, name="team"),
    path("emails/", views_emails.staff_emails, name="emails"),
    path("emails/<int:email_id>/retry/", views_emails.staff_email_retry, name="email_retry"),
]
