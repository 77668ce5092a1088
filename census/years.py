"""The census year: 1 April to 31 March, written ``2026-27`` (SPEC 3.11)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

YEAR_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class CensusYear:
    start_year: int

    @classmethod
    def parse(cls, text: str) -> CensusYear:
        """``2026-27`` is 1 April 2026 to 31 March 2027; anything else is refused."""
        match = YEAR_PATTERN.match(text.strip())
        if not match:
            raise ValueError("Give the census year as 2026-27")
        start = int(match.group(1))
        if int(match.group(2)) != (start + 1) % 100:
            raise ValueError(
                f"{text} is not a census year: it would be {start}-{(start + 1) % 100:02d}"
            )
        if not 2009 <= start <= 2100:
            raise ValueError("The CIN census started in 2009-10")
        return cls(start)

    @property
    def label(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.start_year, 4, 1)

    @property
    def end(self) -> dt.date:
        """The reference date: 31 March at the end of the year."""
        return dt.date(self.start_year + 1, 3, 31)

    @property
    def collection_year(self) -> str:
        """The header's <Year>: the year the census closes in (2027 for 2026-27)."""
        return str(self.start_year + 1)

    def __str__(self) -> str:
        return self.label


def year_choices(today: dt.date | None = None) -> list[tuple[str, str]]:
    """The census years a return may be asked for, on the page and over the API:
    the current one and the three before it, newest first."""
    today = today or timezone.localdate()
    current = today.year if today.month >= 4 else today.year - 1
    years = [CensusYear(start) for start in range(current, current - 4, -1)]
    return [
        (y.label, f"{y.label} (1 April {y.start_year} to 31 March {y.start_year + 1})")
        for y in years
    ]
