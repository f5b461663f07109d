"""Charts as SVG made on the server: the geometry here, the markup in `_charts.html`.

No JavaScript and no chart library: a bar is a rectangle whose size is worked out here, and
the template writes it out with a `<title>` per bar (its value on hover) and a `<title>` and
`<desc>` per chart for screen readers. The table beside each chart is the accessible form of
the same numbers. The drawing is 400 units wide and scales with the page (`viewBox`), so it
reads the same on a 390 px phone and on a desktop; labels sit above the bars, not beside
them, so long names need no room on the side.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH = 400.0
PAD = 8.0
LABEL = 17.0
"""Height of a label line above a bar."""
BAR = 14.0
GAP = 8.0

PALETTE = ("#1f5fa0", "#0f7b6c", "#8a5a00", "#6b3fa0", "#b3261e", "#1e6b3a", "#5d6b7a")
"""Series colours, each dark enough for white text and distinct from its neighbours."""


@dataclass(frozen=True, slots=True)
class Rect:
    """A bar: position, size, colour and what its `<title>` says."""

    x: float
    y: float
    width: float
    height: float
    fill: str
    title: str


@dataclass(frozen=True, slots=True)
class Label:
    """A text at (x, y); `anchor` is SVG's `text-anchor`."""

    x: float
    y: float
    text: str
    anchor: str = "start"


@dataclass(frozen=True, slots=True)
class Line:
    """A line, e.g. the zero axis or a percentile mark."""

    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str = "#5d6b7a"


@dataclass
class Chart:
    """Everything `_charts.html` draws for one chart."""

    id: str
    title: str
    desc: str
    height: float
    rects: list[Rect] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    """(colour, name) of each series, drawn as HTML under the chart."""

    @property
    def empty(self) -> bool:
        """Whether there is nothing to draw (the page says so instead)."""
        return not self.rects


def _short(text: str, room: int) -> str:
    """`text` cut to fit beside the value on the label line (the bar's `<title>` and the
    table keep it whole)."""
    room = max(room, 12)
    return text if len(text) <= room else text[: room - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class Bar:
    """One row of a horizontal bar chart: its label, value and an optional mark (e.g. the
    90th percentile beside a median)."""

    label: str
    value: float
    text: str
    mark: float | None = None
    mark_text: str = ""


def bars(
    chart_id: str, title: str, desc: str, rows: Sequence[Bar], colour: str = PALETTE[0]
) -> Chart:
    """Horizontal bars from zero, one per row, with the row's label on the left of the line
    above it and its value on the right; negative values (an effect that went down) run left
    from a zero line."""
    values = [r.value for r in rows] + [r.mark for r in rows if r.mark is not None]
    low = min([0.0, *values])
    high = max([0.0, *values])
    span = (high - low) or 1.0
    usable = WIDTH - 2 * PAD
    zero = PAD + usable * (-low / span)
    chart = Chart(chart_id, title, desc, PAD)
    y = PAD
    for row in rows:
        chart.labels.append(Label(PAD, y + LABEL - 3, _short(row.label, 56 - len(row.text))))
        chart.labels.append(Label(WIDTH - PAD, y + LABEL - 3, row.text, "end"))
        y += LABEL
        width = max(usable * abs(row.value) / span, 1.0)
        x = zero if row.value >= 0 else zero - width
        chart.rects.append(Rect(x, y, width, BAR, colour, f"{row.label}: {row.text}"))
        if row.mark is not None:
            mark_x = zero + usable * row.mark / span
            chart.lines.append(Line(mark_x, y - 2, mark_x, y + BAR + 2, "#1b2430"))
        y += BAR + GAP
    if low < 0:
        chart.lines.append(Line(zero, PAD, zero, y - GAP))
    chart.height = y + PAD
    return chart


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a column chart (a month): its label and one value per series."""

    label: str
    values: Sequence[int]


def columns(
    chart_id: str,
    title: str,
    desc: str,
    cols: Sequence[Column],
    series: Sequence[str],
    *,
    stacked: bool,
    unit: str,
) -> Chart:
    """Vertical columns per label: the series stacked (cases per phase) or side by side
    (sent and failed)."""
    top, axis = PAD + 10, 150.0
    bottom = top + axis
    totals = [sum(c.values) if stacked else max(c.values, default=0) for c in cols]
    high = max([1, *totals])
    slot = (WIDTH - 2 * PAD) / max(1, len(cols))
    width = slot * 0.7
    chart = Chart(chart_id, title, desc, bottom + 30)
    chart.legend = [(PALETTE[i % len(PALETTE)], name) for i, name in enumerate(series)]
    chart.lines.append(Line(PAD, bottom, WIDTH - PAD, bottom))
    chart.labels.append(Label(PAD, PAD + 4, f"{high} {unit}"))
    chart.lines.append(Line(PAD, top, WIDTH - PAD, top, "#d9e0e7"))
    for index, col in enumerate(cols):
        x = PAD + index * slot + (slot - width) / 2
        y = bottom
        for s, value in enumerate(col.values):
            if not value:
                continue
            height = axis * value / high
            name = series[s]
            colour = PALETTE[s % len(PALETTE)]
            text = f"{col.label}, {name}: {value}"
            if stacked:
                y -= height
                chart.rects.append(Rect(x, y, width, height, colour, text))
            else:
                part = width / len(series)
                chart.rects.append(Rect(x + s * part, bottom - height, part, height, colour, text))
        if len(cols) <= 12 or index % 3 == 0:
            chart.labels.append(Label(x + width / 2, bottom + 14, col.label, "middle"))
    return chart


__all__ = ["PALETTE", "Bar", "Chart", "Column", "bars", "columns"]
