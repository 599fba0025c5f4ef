from django.urls import path

from networking_app.devmail import views

app_name = "devmail"
urlpatterns = [
    path("", views.sent_mail_list, name="list"),
    path("<str:name>/", views.sent_mail_detail, name="detail"),
    path("<str:name>/html/", views.sent_mail_html, name="html"),
]
