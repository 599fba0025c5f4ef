"""Reads of a student's networking data. Every lookup filters by owner first.

The reads live in modules by subject: ``lookups`` (each owned object, else a 404), ``people``
(the contacts list, targets, pickers, possible duplicates), ``contact_page``
(the list's first page in one query), ``contact_history`` (a contact's page below the
contact: timeline, referrals, open action items), ``pipeline``
(the board, a conversation's page, questions, outcomes) and ``today`` (the Today page). New
code imports from those modules; the names are also offered here so that
``from contacts import selectors; selectors.contact_get_for_user(...)`` keeps working.
"""

from contacts.selectors.contact_history import contact_detail, contact_timeline
from contacts.selectors.contact_page import contacts_first_page
from contacts.selectors.lookups import (
    action_item_get_for_user,
    contact_get_for_user,
    conversation_get_for_user,
    interaction_get_for_user,
    outcome_get_for_user,
    prepared_question_get_for_user,
    target_get_for_user,
)
from contacts.selectors.people import (
    ContactFilters,
    attach_tag_names,
    contact_history_counts,
    contact_possible_duplicates,
    contact_stats,
    contacts_for_user,
    contacts_list,
    contacts_matching,
    contacts_with_due_date,
    normalize_linkedin_url,
    organizations_for_user,
    search_terms,
    tags_for_user,
    target_organizations,
)
from contacts.selectors.pipeline import (
    conversation_detail,
    conversation_stage,
    conversations_finished,
    open_conversation_count,
    outcomes_for_user,
    pipeline_board,
    question_bank,
)
from contacts.selectors.today import (
    GettingStarted,
    TodayPage,
    action_item_rows_due,
    action_items_due,
    getting_started,
    started_data,
    today_page,
)

__all__ = [
    "ContactFilters",
    "GettingStarted",
    "TodayPage",
    "action_item_get_for_user",
    "action_item_rows_due",
    "action_items_due",
    "attach_tag_names",
    "contact_detail",
    "contact_get_for_user",
    "contact_history_counts",
    "contact_possible_duplicates",
    "contact_stats",
    "contact_timeline",
    "contacts_first_page",
    "contacts_for_user",
    "contacts_list",
    "contacts_matching",
    "contacts_with_due_date",
    "conversation_detail",
    "conversation_get_for_user",
    "conversation_stage",
    "conversations_finished",
    "getting_started",
    "interaction_get_for_user",
    "normalize_linkedin_url",
    "open_conversation_count",
    "organizations_for_user",
    "outcome_get_for_user",
    "outcomes_for_user",
    "pipeline_board",
    "prepared_question_get_for_user",
    "question_bank",
    "search_terms",
    "started_data",
    "tags_for_user",
    "target_get_for_user",
    "target_organizations",
    "today_page",
]
