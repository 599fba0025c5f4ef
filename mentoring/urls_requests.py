from django.urls import path

from mentoring.views import requests as views
from mentoring.views import sessions as session_views

flash_request = "requests/<int:request_id>"
session = "sessions/<int:session_id>"

urlpatterns: list = [
    path("directory/<int:mentor_id>/request/", views.request_new, name="request_new"),
    path("requests/", views.request_list, name="requests"),
    path(f"{flash_request}/", views.request_detail, name="request"),
    path(f"{flash_request}/accept/", views.request_accept, name="request_accept"),
    path(f"{flash_request}/decline/", views.request_decline, name="request_decline"),
    path(f"{flash_request}/propose/", views.request_propose, name="request_propose"),
    path(
        f"{flash_request}/accept-proposal/",
        views.request_accept_proposal,
        name="request_accept_proposal",
    ),
    path(f"{flash_request}/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("requests/answer/<str:token>/", views.request_answer, name="request_answer"),
    path("sessions/", session_views.session_list, name="sessions"),
    path(
        "sessions/attendance/<str:token>/",
        session_views.session_attendance,
        name="session_attendance",
    ),
    path(f"{session}/", session_views.session_detail, name="session"),
    path(f"{session}/invite.ics", session_views.session_ics, name="session_ics"),
    path(f"{session}/reschedule/", session_views.session_reschedule, name="session_reschedule"),
    path(f"{session}/cancel/", session_views.session_cancel, name="session_cancel"),
    path(f"{session}/place/", session_views.session_place, name="session_place"),
    path(f"{session}/no-show/", session_views.session_no_show, name="session_no_show"),
    path(f"{session}/held/", session_views.session_complete, name="session_complete"),
    path(f"{session}/feedback/", session_views.session_feedback, name="session_feedback"),
]
