"""The keys of entries sent from the "People I met" page. Loaded from contacts.models, so they
belong to the contacts app."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class MetReceipt(models.Model):
    """One entry of the "People I met" page, by the key the phone drew for it (a UUID): a sync
    retried after a lost answer, or sent twice from two tabs, finds its receipt here and adds
    nobody. It outlives its contact (SET_NULL) so that a late retry does not bring a deleted
    contact back; it holds nothing but the key and goes with the account."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.UUIDField()
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "key"], name="contacts_met_key_unique_per_owner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} of {self.owner_id}"
