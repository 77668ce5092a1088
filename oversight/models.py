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


class OpenCaseCount(models.Model):
    """Open, unrestricted cases by lead agency and allocated worker (none:
    unallocated), kept by the database as the cases change (on PostgreSQL; see
    ``oversight.caseloads``): each change to a case appends -1 for where it
    was and +1 for where it is, so no two writers wait on one counter, and the
    beat folds them into one row per agency and worker. The count for a key is
    the sum of its rows.

    Plain columns, not foreign keys: the rows are written by a trigger on
    ``cases_case`` and say only how many; a worker who leaves keeps their row
    until their cases are reallocated."""

    lead_agency_id = models.UUIDField()
    worker_id = models.IntegerField(null=True)
    cases = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["lead_agency_id", "worker_id"], name="open_case_count_by_lead")
        ]

    def __str__(self) -> str:
        return f"{self.lead_agency_id} / {self.worker_id}: {self.cases:+d}"


class ComplianceCaseFigure(models.Model):
    """The agency's work on its restricted cases, case by case, month by month,
    as last counted with ``ComplianceFigure`` (which holds only unrestricted
    cases'). Who sees a restricted case is asked when the dashboard is read,
    and only the rows of the cases that person sees then are added to their
    figures (``oversight.summary.figures``): counting each person's share
    live read every meeting of the year (16 to 27 ms a measure at a county's
    scale). The front door's decisions are not here: a concern's reporter
    sees it whatever the case, so that part stays live."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    measure = models.CharField(max_length=32)
    month = models.DateField()
    # The case's id, not a foreign key: a figure, like the others, says only
    # how many; it is replaced whole at each count.
    case_id = models.UUIDField()
    total = models.PositiveIntegerField()
    on_time = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["agency", "case_id"], name="compliance_case_figure_case")]

    def __str__(self) -> str:
        return f"{self.measure} {self.month:%Y-%m} {self.case_id}: {self.on_time} of {self.total}"
