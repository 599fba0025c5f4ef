"""Access rules of the contacts export routes (contacts/urls_export.py), for
tests/test_access.py. They are "my" routes without ids: every student gets their own export
(tests/contacts/test_export_views.py proves it is never someone else's), other roles a 404."""

from __future__ import annotations

from tests.contacts.access_rows import LOGIN

OWN_PAGE = (LOGIN, 200, 200, 404, 404)

ACCESS: dict[str, tuple] = {
    "contacts:export": OWN_PAGE,
    "contacts:export_csv": OWN_PAGE,
    "contacts:export_vcard": OWN_PAGE,
}
