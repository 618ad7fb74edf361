"""What the API layer itself must remember (API-1, API-2).

* ``UsedSignature``: a request signature may be used once. Kept only while its
  timestamp is inside the validity window; older ones are refused as expired
  anyway, so ``kantor.api.jobs.purge_used_signatures`` deletes them.
* ``Submission``: a customer's ``submitId`` with the fingerprint of the request
  and the answer given, written in the same database transaction as the
  operation it performed, so a repeated submission replays the first answer
  (``duplicate: true``) and never executes twice.
"""

from __future__ import annotations

from django.db import models


class UsedSignature(models.Model):
    #: SHA-256 of the decoded signature bytes.
    signature_hash = models.CharField(max_length=64, unique=True)
    #: The request's X-API-Timestamp: the row is needed until it expires.
    timestamp = models.DateTimeField(db_index=True)
    api_key = models.ForeignKey("customers.ApiKey", on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.signature_hash[:12]}… @ {self.timestamp:%Y-%m-%d %H:%M:%S}"


class Submission(models.Model):
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="api_submissions"
    )
    submit_id = models.CharField(max_length=36)
    #: The endpoint path the submitId was first used on.
    path = models.CharField(max_length=200)
    #: SHA-256 of the method, path and normalised parameters (see idempotency).
    fingerprint = models.CharField(max_length=64)
    #: The ``result`` answered the first time, replayed on a duplicate.
    result = models.JSONField(null=True)
    api_key = models.ForeignKey(
        "customers.ApiKey", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "submit_id"], name="api_submission_unique_submit_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.submit_id} {self.path}"
