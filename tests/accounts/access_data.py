"""Access rules of "your data" and account deletion (networking_app/accounts/urls_data.py).

Everyone signed in downloads their own data; students and volunteers may delete their account,
staff may not (403); the goodbye page is public."""

from __future__ import annotations

LOGIN = "login"

ACCESS: dict[str, tuple] = {
    "account_data": (LOGIN, 200, 200, 200, 200),
    "account_data_download": (LOGIN, 200, 200, 200, 200),
    "account_delete": (LOGIN, 200, 200, 200, 403),
    "account_deleted": (200, 200, 200, 200, 200),
}
