"""Access rules of the volunteer's mentor pages (mentoring/urls_volunteer.py) and of the
directory (mentoring/urls_directory.py), for tests/test_access.py, and the objects their URLs
name.

Columns: anonymous, the student, another student, the volunteer, staff. A volunteer's own
pages are for volunteers (other roles: 403, like role_required elsewhere); a window or a day
of another volunteer is a plain 404 (tests/mentoring/test_availability.py). The directory is
for students only (everyone else: a plain 404, like the students' other pages). POST-only
actions answer a GET with 405; their POST is checked in test_availability.py and
test_directory.py.
"""

from __future__ import annotations

LOGIN = "login"
VOLUNTEERS_ONLY = (LOGIN, 403, 403, 200, 403)
STUDENTS_ONLY = (LOGIN, 200, 200, 404, 404)
POST_ONLY = (405, 405, 405, 405, 405)

ACCESS: dict[str, tuple] = {
    "mentoring:volunteer_profile": VOLUNTEERS_ONLY,
    "mentoring:availability": VOLUNTEERS_ONLY,
    "mentoring:window_add": POST_ONLY,
    "mentoring:window_delete": POST_ONLY,
    "mentoring:override_add": POST_ONLY,
    "mentoring:override_delete": POST_ONLY,
    "mentoring:directory": STUDENTS_ONLY,
    "mentoring:warm_paths": STUDENTS_ONLY,
    "mentoring:mentor": STUDENTS_ONLY,
    "mentoring:add_contact": POST_ONLY,
}
