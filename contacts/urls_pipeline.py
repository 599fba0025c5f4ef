from django.urls import path

from contacts.views import outreach, today
from contacts.views import pipeline as views

conversation = "conversations/<int:conversation_id>"

urlpatterns: list = [
    path("today/", today.today, name="today"),
    path("contacts/<int:contact_id>/plan/", views.conversation_plan, name="conversation_plan"),
    path("conversations/", views.board, name="board"),
    path(f"{conversation}/", views.conversation, name="conversation"),
    path(f"{conversation}/brief/", views.conversation_brief, name="conversation_brief"),
    path(f"{conversation}/notes/", views.conversation_notes, name="conversation_notes"),
    path(f"{conversation}/requested/", views.conversation_requested, name="conversation_requested"),
    path(f"{conversation}/schedule/", views.conversation_schedule, name="conversation_schedule"),
    path(
        f"{conversation}/reschedule/",
        views.conversation_reschedule,
        name="conversation_reschedule",
    ),
    path(f"{conversation}/cancel/", views.conversation_cancel, name="conversation_cancel"),
    path(f"{conversation}/held/", views.conversation_held, name="conversation_held"),
    path(f"{conversation}/thanked/", views.conversation_thanked, name="conversation_thanked"),
    path(f"{conversation}/status/", views.conversation_status, name="conversation_status"),
    path(f"{conversation}/questions/", views.question_add, name="question_add"),
    path("questions/<int:question_id>/delete/", views.question_delete, name="question_delete"),
    path(f"{conversation}/action-items/", views.action_item_add, name="action_item_add"),
    path("action-items/<int:item_id>/toggle/", views.action_item_toggle, name="action_item_toggle"),
    path(f"{conversation}/referrals/", views.referral_add, name="referral_add"),
    path("contacts/<int:contact_id>/drafts/<str:kind>/", outreach.draft, name="draft"),
    path(
        "contacts/<int:contact_id>/drafts/<str:kind>/sent/",
        outreach.draft_sent,
        name="draft_sent",
    ),
    path("templates/", outreach.templates, name="templates"),
    path("templates/<str:kind>/", outreach.template_edit, name="template_edit"),
    path("templates/<str:kind>/reset/", outreach.template_reset, name="template_reset"),
    path("outcomes/", outreach.outcomes, name="outcomes"),
    path("outcomes/<int:outcome_id>/delete/", outreach.outcome_delete, name="outcome_delete"),
]
