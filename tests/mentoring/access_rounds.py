"""Access rules of the match-round routes (mentoring/urls_rounds.py), for tests/test_access.py
(builders: tests/mentoring/helpers.py).

Round administration is staff's only (other roles get 403, as every staff page); a student's
sign-up page is students' (404 for other roles); a volunteer's sign-up page is volunteers'
(403 for other roles); a published match page is its student's and its volunteer's only, a
plain 404 for anyone else. POST-only actions answer a GET with 405; their POST is tested for
every role in tests/mentoring/test_rounds.py.
"""

from __future__ import annotations

LOGIN = "login"
STAFF_ONLY = (LOGIN, 403, 403, 403, 200)
POST_ONLY = (405, 405, 405, 405, 405)

# name: (anonymous, student, other student, volunteer, staff)
ACCESS: dict[str, tuple] = {
    "mentoring:rounds": STAFF_ONLY,
    "mentoring:round_new": STAFF_ONLY,
    "mentoring:round": STAFF_ONLY,
    "mentoring:round_edit": STAFF_ONLY,
    "mentoring:round_status": POST_ONLY,
    "mentoring:round_review": STAFF_ONLY,
    "mentoring:round_run": POST_ONLY,
    "mentoring:round_match_lock": POST_ONLY,
    "mentoring:round_match_remove": POST_ONLY,
    "mentoring:round_swap": POST_ONLY,
    "mentoring:round_publish": STAFF_ONLY,
    "mentoring:rounds_open": (LOGIN, 200, 200, 200, 403),
    "mentoring:round_join": (LOGIN, 200, 200, 404, 404),
    "mentoring:round_leave": POST_ONLY,
    "mentoring:round_volunteer_join": (LOGIN, 403, 403, 200, 403),
    "mentoring:round_volunteer_leave": POST_ONLY,
    "mentoring:round_match": (LOGIN, 200, 404, 200, 404),
    "mentoring:round_match_book": POST_ONLY,
}
