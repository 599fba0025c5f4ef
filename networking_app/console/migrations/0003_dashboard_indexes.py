"""Indexes for the staff dashboard's date-range aggregates, on other apps' tables.

The dashboard counts what happened in a period (contacts added, conversations asked for, held
and thanked, interactions, changes, flash requests, RSVPs, offers): each count reads only the
period's rows through one of these indexes instead of scanning the whole table. They live here,
beside the queries that need them, as plain SQL (the same on PostgreSQL and SQLite) so that the
owning apps' models do not change; `IF NOT EXISTS` keeps them harmless if an app adds its own.
"""

from django.db import migrations

INDEXES = [
    ("console_dash_contact_created", "contacts_contact", "created_at"),
    ("console_dash_conv_requested", "contacts_conversation", "requested_on"),
    ("console_dash_conv_held", "contacts_conversation", "held_at"),
    ("console_dash_conv_thanked", "contacts_conversation", "thanked_at"),
    ("console_dash_conv_updated", "contacts_conversation", "updated_at"),
    ("console_dash_interaction_created", "contacts_interaction", "created_at"),
    ("console_dash_change_created", "contacts_conversationchange", "created_at"),
    ("console_dash_outcome_decided", "contacts_outcome", "decided_on"),
    ("console_dash_flash_created", "mentoring_flashrequest", "created_at"),
    ("console_dash_flash_start", "mentoring_flashrequest", "start_at"),
    ("console_dash_rsvp_created", "events_rsvp", "created_at"),
    ("console_dash_user_joined", "accounts_user", "date_joined"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("console", "0002_labels_and_invitations"),
        ("accounts", "0004_volunteer_paused"),
        ("contacts", "0002_search_index_and_starter_questions"),
        ("mentoring", "0003_directory_search_and_topics"),
        ("events", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")',
            reverse_sql=f'DROP INDEX IF EXISTS "{name}"',
        )
        for name, table, column in INDEXES
    ]
