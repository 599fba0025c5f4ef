"""Access rules of flash requests and sessions (mentoring/urls_requests.py), for
tests/test_access.py, and the objects their URLs name.

Columns: anonymous, the student, another student, the volunteer, staff. A request's or a
session's page belongs to its student and its volunteer only: anyone else gets a plain 404.
The lists are every student's and volunteer's own (another student sees their own, so 200).
Asking for a conversation is for students. POST-only actions answer a GET with 405; their POST
is checked for every kind of person in tests/mentoring/test_requests.py and test_sessions.py.
"""

from __future__ import annotations

LOGIN = "login"
PARTICIPANTS = (LOGIN, 200, 404, 200, 404)
OWN_LIST = (LOGIN, 200, 200, 200, 404)
STUDENTS_ONLY = (LOGIN, 200, 200, 404, 404)
POST_ONLY = (405, 405, 405, 405, 405)

ACCESS: dict[str, tuple] = {
    "mentoring:request_new": STUDENTS_ONLY,
    "mentoring:requests": OWN_LIST,
    "mentoring:request": PARTICIPANTS,
    "mentoring:request_accept": POST_ONLY,
    "mentoring:request_decline": POST_ONLY,
    "mentoring:request_propose": POST_ONLY,
    "mentoring:request_accept_proposal": POST_ONLY,
    "mentoring:request_withdraw": POST_ONLY,
    "mentoring:sessions": OWN_LIST,
    "mentoring:session": PARTICIPANTS,
    "mentoring:session_ics": PARTICIPANTS,
    "mentoring:session_reschedule": POST_ONLY,
    "mentoring:session_cancel": POST_ONLY,
    "mentoring:session_place": POST_ONLY,
    "mentoring:session_no_show": POST_ONLY,
    "mentoring:session_complete": POST_ONLY,
    "mentoring:session_feedback": POST_ONLY,
}

# What a volunteer who is neither side of the request gets (a sixth column, checked in
# tests/mentoring/test_requests.py).
OTHER_VOLUNTEER: dict[str, int] = {
    name: {STUDENTS_ONLY: 404, OWN_LIST: 200, PARTICIPANTS: 404, POST_ONLY: 405}[row]
    for name, row in ACCESS.items()
}
