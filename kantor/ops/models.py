from django.db import models


class JobState(models.Model):
    """When a scheduled job last ran; survives restarts so late jobs catch up."""

    name = models.CharField(max_length=100, primary_key=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    runs = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return self.name
