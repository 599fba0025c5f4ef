"""The career office's advice for a networking meeting, as its guide gives it ("Things to
Remember"): on a conversation's page and a networking event's page. One list, so the advice
reads the same wherever it appears."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

THINGS_TO_REMEMBER = [
    _("Know what you want to learn from them: don't ask what you can research on your own."),
    _("Dress appropriately."),
    _("Be on time."),
    _("Be considerate of their time."),
    _("Be courteous and gracious."),
    _("Listen carefully and take good notes."),
    _("Ask for referrals, and for permission to use their name."),
    _("Thank them for their time, at the end and again by email."),
    _("Be patient: meetings may be cancelled several times."),
    _("Relationships are built over time, not in one interaction: stay in touch."),
]
