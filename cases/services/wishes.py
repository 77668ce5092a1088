"""Checking what a record says of the child's wishes and feelings (Children Act
1989 s17(4A), s47(5A)): their views, or the reason they were not obtained,
never a silent blank where the law expects them."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from cases.models.wishes import WishesNotObtained


def clean_wishes(
    *,
    child_wishes: str = "",
    wishes_not_obtained: str = "",
    wishes_not_obtained_detail: str = "",
    required: bool,
) -> dict[str, str]:
    """The three fields as stored. ``required``: completing an assessment or a
    section 47 enquiry needs the child's views or why they were not obtained;
    a report may leave them "not recorded"."""
    wishes = child_wishes.strip()
    reason = wishes_not_obtained.strip()
    detail = wishes_not_obtained_detail.strip()
    if reason and reason not in WishesNotObtained.values:
        raise ValidationError({"wishes_not_obtained": "Choose a reason from the list"})
    if wishes and reason:
        raise ValidationError(
            {
                "wishes_not_obtained": "You recorded the child's wishes and feelings: "
                "leave 'why they were not obtained' empty"
            }
        )
    if not wishes and not reason and required:
        raise ValidationError(
            {
                "child_wishes": "Record the child's wishes and feelings, or say why they "
                "were not obtained"
            }
        )
    if reason == WishesNotObtained.OTHER and not detail:
        raise ValidationError(
            {"wishes_not_obtained_detail": "Explain why the child's views were not obtained"}
        )
    return {
        "child_wishes": wishes,
        "wishes_not_obtained": reason,
        "wishes_not_obtained_detail": detail if reason else "",
    }
