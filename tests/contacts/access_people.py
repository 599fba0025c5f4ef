"""Access rules of the people pages (contacts/urls_people.py), for tests/test_access.py.

Pages without an object id are every student's own (another student sees their own list, so
200); pages of one object are the owner's only; POST-only actions answer a GET with 405.
"""

from __future__ import annotations

from tests.contacts.access_rows import LOGIN, POST_ONLY, PRIVATE

OWN_PAGE = (LOGIN, 200, 200, 404, 404)

ACCESS: dict[str, tuple] = {
    "contacts:list": OWN_PAGE,
    "contacts:create": OWN_PAGE,
    "contacts:detail": PRIVATE,
    "contacts:edit": PRIVATE,
    "contacts:delete": PRIVATE,
    "contacts:merge": PRIVATE,
    "contacts:interaction_add": POST_ONLY,
    "contacts:interaction_delete": POST_ONLY,
    "contacts:targets": OWN_PAGE,
    "contacts:target_edit": PRIVATE,
    "contacts:target_delete": POST_ONLY,
}
