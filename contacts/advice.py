"""The career office's advice for a networking meeting, as its guide gives it ("Things to
Remember"): on a conversation's page and a networking event's page. One list, so the advice
reads the same wherever it appears."""

from __future__ import annotations

THINGS_TO_REMEMBER = [
    "Know what you want to learn from them: don't ask what you can research on your own.",
    "Dress appropriately.",
    "Be on time.",
    "Be considerate of their time.",
    "Be courteous and gracious.",
    "Listen carefully and take good notes.",
    "Ask for referrals, and for permission to use their name.",
    "Thank them for their time, at the end and again by email.",
    "Be patient: meetings may be cancelled several times.",
    "Relationships are built over time, not in one interaction: stay in touch.",
]
