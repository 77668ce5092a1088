"""Bar charts as inline SVG, drawn on the server from the figures.

Twelve stacked bars (on time below, late above) need no chart library: the
geometry is a few lines, and the page stays free of JavaScript. Each chart is
an image to assistive technology (``role="img"``) whose title names the
measure and whose description states every month's figures; the data table
beside it carries the same figures with their links, so nothing is in the
picture alone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from oversight.selectors import Compliance, MonthFigure

WIDTH = 640
HEIGHT = 240
LEFT = 40  # room for the scale's numbers
BOTTOM = 30  # room for the months
TOP = 10


@dataclass(frozen=True)
class Bar:
    figure: MonthFigure
    x: float
    width: float
    on_time_y: float
    on_time_height: float
    late_y: float
    late_height: float
    label_x: float
    # The month as the axis writes it (``Jan``).
    label: str


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    bars: list[Bar]
    ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: float = HEIGHT - BOTTOM


def month_figures_text(figure: MonthFigure) -> str:
    month = f"{figure.month:%B %Y}"
    if not figure.total:
        return f"{month}: none"
    return f"{month}: {figure.on_time} of {figure.total} on time ({figure.percent}%)"


def _scale_top(largest: int) -> int:
    """A round top for the scale, at least the largest bar."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if largest <= step * 4:
            return step * 4
    return largest


def compliance_chart(
    compliance: Compliance, month_labels: Callable[[object], dict[str, str]]
) -> Chart:
    """The chart of one measure; ``month_labels(month)["abbr"]`` names each bar."""
    months = compliance.months
    top = _scale_top(max((m.total for m in months), default=0) or 1)
    plot = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / len(months)
    bar_width = slot * 0.6
    bars = []
    for i, figure in enumerate(months):
        x = LEFT + i * slot + (slot - bar_width) / 2
        on_time_height = plot * figure.on_time / top
        late_height = plot * figure.late / top
        on_time_y = HEIGHT - BOTTOM - on_time_height
        bars.append(
            Bar(
                figure,
                round(x, 1),
                round(bar_width, 1),
                round(on_time_y, 1),
                round(on_time_height, 1),
                round(on_time_y - late_height, 1),
                round(late_height, 1),
                round(x + bar_width / 2, 1),
                month_labels(figure.month)["abbr"],
            )
        )
    ticks = [Tick(top * k // 4, round(HEIGHT - BOTTOM - plot * k / 4, 1)) for k in range(5)]
    measure = compliance.measure
    description = (
        f"{measure.counted.capitalize()} each month, on time and late: "
        + "; ".join(month_figures_text(m) for m in months)
        + "."
    )
    return Chart(f"chart-{measure.code}", measure.label, description, bars, ticks)
