"""Body maps: injuries placed on a front and back outline and described.

Positions are regions of a simple outline, not pixel coordinates: a region can
be chosen with the keyboard as easily as by clicking, reads aloud properly, and
prints the same at any size.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cases import selectors
from cases.models import BodyMapMark, Concern
from safeguard.audit.services import audit_record

# Where each region's mark is drawn on a 100 x 200 outline, seen from the
# front; on the back view left and right swap sides.
CENTRES = {
    "head": (50, 14),
    "face": (50, 20),
    "neck": (50, 33),
    "chest": (50, 50),
    "abdomen": (50, 75),
    "right_arm": (24, 62),
    "left_arm": (76, 62),
    "right_hand": (22, 100),
    "left_hand": (78, 100),
    "groin": (50, 95),
    "right_leg": (42, 135),
    "left_leg": (58, 135),
    "right_foot": (41, 180),
    "left_foot": (59, 180),
}


def can_add_marks(user: AbstractBaseUser, concern: Concern) -> bool:
    return concern.status != Concern.Status.DRAFT and (
        concern.reported_by_id == user.pk or selectors.can_triage(user, concern)
    )


def mark_position(mark: BodyMapMark, index: int) -> tuple[int, int]:
    x, y = CENTRES[mark.region]
    if mark.side == BodyMapMark.Side.BACK:
        x = 100 - x
    # Several marks in one region sit side by side rather than on top of each other.
    return x + (index % 3) * 4 - 4, y + (index // 3) * 4


def body_map_for(concern: Concern) -> dict:
    """What the body map template draws: numbered marks on each view, and the list."""
    marks: list[dict] = []
    seen: dict[tuple[str, str], int] = {}
    for number, mark in enumerate(concern.body_map.all(), start=1):
        key = (mark.side, mark.region)
        index = seen.get(key, 0)
        seen[key] = index + 1
        x, y = mark_position(mark, index)
        marks.append({"mark": mark, "number": number, "x": x, "y": y})
    return {
        "marks": marks,
        "sides": [
            {"side": side, "label": label, "marks": [m for m in marks if m["mark"].side == side]}
            for side, label in BodyMapMark.Side.choices
        ],
    }


@transaction.atomic
def body_map_mark_add(
    *, acting_user: AbstractBaseUser, concern: Concern, side: str, region: str, description: str
) -> BodyMapMark:
    if not can_add_marks(acting_user, concern):
        raise PermissionDenied("Only the person who raised the concern or the front door.")
    if not description.strip():
        raise ValidationError({"description": "Describe the mark: size, colour, shape"})
    mark = BodyMapMark.objects.create(
        concern=concern,
        side=side,
        region=region,
        description=description.strip(),
        added_by=acting_user,
    )
    audit_record(
        user=acting_user,
        action="create",
        event="body_map_mark_added",
        obj=concern,
        case_id=concern.case_id,
        detail={"side": side, "region": region},
    )
    return mark
