from django.urls import path

from networking_app.console import views, views_dashboard

app_name = "console"
urlpatterns = [
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("dashboard/recompute/", views_dashboard.dashboard_recompute, name="dashboard_recompute"),
    path("dashboard/<slug:chart_key>.csv", views_dashboard.chart_export, name="chart_export"),
    path("volunteers/", views.volunteers, name="volunteers"),
    path("volunteers/<int:volunteer_id>/decide/", views.volunteer_decide, name="volunteer_decide"),
    path("volunteers/approve/", views.volunteers_approve, name="volunteers_approve"),
    path("invitations/", views.invitations, name="invitations"),
    path(
        "invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitations/join/<str:invite_token>/", views.invitation_accept, name="invitation_accept"),
    path("labels/", views.labels, name="labels"),
    path("labels/<int:eligibility_id>/", views.label_detail, name="label_detail"),
    path("labels/<int:eligibility_id>/remove/", views.label_remove, name="label_remove"),
    path("nudges/", views.nudges, name="nudges"),
    path("nudges/send/", views.nudge_send, name="nudge_send"),
    path("audit/", views.audit, name="audit"),
    path("attendance/", views.attendance_page, name="attendance"),
    path(
        "attendance/<int:session_id>/decide/",
        views.attendance_resolve,
        name="attendance_resolve",
    ),
    path(
        "attendance/volunteers/<int:volunteer_id>/resume/",
        views.attendance_resume,
        name="attendance_resume",
    ),
]
