"""Access rules of the contacts app's routes, merged into tests/test_access.py's table.

Every route here is a student's private page: an anonymous visitor is sent to the login page,
the student who owns the object gets the page, and another student, a volunteer or staff get a
plain 404, as if nothing were there. POST-only actions answer a GET with 405; their POST is
checked for every role in tests/contacts/test_access_post.py.
"""

from __future__ import annotations

LOGIN = "login"
PRIVATE = (LOGIN, 200, 404, 404, 404)
POST_ONLY = (405, 405, 405, 405, 405)
