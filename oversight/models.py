"""The compliance figures as last counted by the worker (``oversight.summary``).

Only what every manager of a lead agency sees alike is kept here: the
agency's work on its unrestricted cases, month by month. Who may see what is
not decided from these rows; the dashboard adds what the person sees on
restricted cases, and takes away anything restricted since, when it reads
them. Rebuilt whole for an agency by each refresh, so nothing here is ever
edited by hand or by a person's action."""

from __future__ import annotations

from django.db import models

from agencies.models import Agency


class ComplianceFigure(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    # oversight.measures.MEASURES' code.
    measure = models.CharField(max_length=32)
    month = models.DateField()
    total = models.PositiveIntegerField()
    on_time = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "measure", "month"], name="compliance_figure_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.month:%Y-%m}: {self.on_time} of {self.total}"


class ComplianceRefresh(models.Model):
    """One row per lead agency: when its figures were counted. Its row lock is
    what lets two refreshes of an agency run at once: the second waits, then
    counts again."""

    agency = models.OneToOneField(
        Agency, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # When the counting began: the figures are as at this moment.
    counted_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.agency_id} as at {self.counted_at}"
