"""The child's wishes and feelings: Children Act 1989 s17(4A) and s47(5A)
require the local authority to ascertain them, so far as reasonably practicable
and consistent with the child's welfare, before deciding what services to
provide or action to take.

Recorded on assessments, section 47 enquiries and agency or conference reports,
in the child's own words where possible. When they were not obtained, the
record says why: "not recorded" is a value of its own, never a blank that reads
as if nobody asked.
"""

from __future__ import annotations

from django.db import models


class WishesNotObtained(models.TextChoices):
    TOO_YOUNG = "too_young", "Child too young to express their views"
    DECLINED = "declined", "Child declined to share their views"
    COMMUNICATION = "communication", "Child's communication needs: views could not be obtained"
    NOT_SEEN = "not_seen", "Child was not seen"
    UNBORN = "unborn", "Unborn child"
    OTHER = "other", "Another reason (explain)"


class ChildsWishes(models.Model):
    """Fields shared by every record that carries the child's wishes and feelings."""

    child_wishes = models.TextField(
        blank=True, help_text="The child's wishes and feelings, in their own words where possible"
    )
    wishes_not_obtained = models.CharField(
        max_length=20, choices=WishesNotObtained.choices, blank=True
    )
    wishes_not_obtained_detail = models.TextField(blank=True)

    class Meta:
        abstract = True

    @property
    def wishes_recorded(self) -> bool:
        return bool(self.child_wishes.strip())

    @property
    def wishes_summary(self) -> str:
        """What the record says of the child's views, as one line people read."""
        if self.child_wishes.strip():
            return self.child_wishes.strip()
        if self.wishes_not_obtained:
            reason = self.get_wishes_not_obtained_display()
            detail = self.wishes_not_obtained_detail.strip()
            return f"Not obtained: {reason}" + (f". {detail}" if detail else "")
        return "Not recorded"
