"""Writes to a student's networking data. Every function takes the owner explicitly.

The writes live in modules by subject: ``people`` (organizations and targets, contacts, tags,
interactions), ``pipeline`` (conversations and their state machine, ``TRANSITIONS``),
``preparation`` (questions, action items, referrals) and ``outreach`` (email templates, drafts
marked sent, outcomes). New code imports from those modules; the names are also offered here
so that ``from contacts import services; services.contact_create(...)`` keeps working. A test
that replaces a function must patch it where it is looked up.
"""

from contacts.services.outreach import (
    draft_mark_sent,
    email_template_reset,
    email_template_save,
    outcome_delete,
    outcome_record,
)
from contacts.services.people import (
    CONTACT_FIELDS,
    contact_create,
    contact_delete,
    contact_merge,
    contact_recompute_last_interaction,
    contact_refresh_conversation_text,
    contact_refresh_search_text,
    contact_update,
    interaction_delete,
    interaction_log,
    organization_get_or_create,
    target_organization_add,
    target_organization_delete,
    target_organization_update,
)
from contacts.services.pipeline import (
    MODE_TO_INTERACTION,
    TRANSITIONS,
    TransitionError,
    conversation_cancel,
    conversation_mark_held,
    conversation_mark_requested,
    conversation_mark_thanked,
    conversation_plan,
    conversation_record_held,
    conversation_reschedule,
    conversation_schedule,
    conversation_set_status,
    conversation_update_notes,
)
from contacts.services.preparation import (
    action_item_create,
    action_item_toggle_done,
    question_answers_save,
    question_bank_add,
    question_prepare,
    question_remove,
    referral_create,
)

__all__ = [
    "CONTACT_FIELDS",
    "MODE_TO_INTERACTION",
    "TRANSITIONS",
    "TransitionError",
    "action_item_create",
    "action_item_toggle_done",
    "contact_create",
    "contact_delete",
    "contact_merge",
    "contact_recompute_last_interaction",
    "contact_refresh_conversation_text",
    "contact_refresh_search_text",
    "contact_update",
    "conversation_cancel",
    "conversation_mark_held",
    "conversation_mark_requested",
    "conversation_mark_thanked",
    "conversation_plan",
    "conversation_record_held",
    "conversation_reschedule",
    "conversation_schedule",
    "conversation_set_status",
    "conversation_update_notes",
    "draft_mark_sent",
    "email_template_reset",
    "email_template_save",
    "interaction_delete",
    "interaction_log",
    "organization_get_or_create",
    "outcome_delete",
    "outcome_record",
    "question_answers_save",
    "question_bank_add",
    "question_prepare",
    "question_remove",
    "referral_create",
    "target_organization_add",
    "target_organization_delete",
    "target_organization_update",
]
