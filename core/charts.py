"""Charts for the admin as inline SVG, drawn on the server: no JavaScript, no build.

Two pure functions returning safe markup:

- `line_chart(labels, series)`: one or more lines over the same x labels, with a y axis (ticks
  at round numbers, compact labels: 12.5k, 3.4M), x labels, a title and a legend; every point
  is a `<circle class="co-point">` with `data-series`, `data-label` and `data-value`, and a
  `<title>` shown on hover.
- `sparkline(values)`: a small line without axes, for a table cell.

Both accept `None` in the values (a gap: the counter was hidden or not measured), an empty
series ("No data yet"), a single point (drawn in the middle) and all-equal values (a flat line
in the middle). Every text is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

Number = int | float | Decimal | None

PALETTE = ("#2c6fbb", "#d9534f", "#2e9e5b", "#8e44ad", "#e08e0b")
AXIS_COLOR = "#8a8a8a"
GRID_COLOR = "#e3e3e3"
TEXT_STYLE = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'


@dataclass(frozen=True)
class Series:
    """One line: a name (legend, tooltips, `data-series`) and one value per x label."""

    name: str
    values: Sequence[Number]
    color: str = ""


# --- Numbers ----------------------------------------------------------------------------------


def compact_number(value: Number, *, digits: int = 1) -> str:
    """`950` -> "950", `12_500` -> "12.5k", `3_400_000` -> "3.4M", `None` -> "—"; `digits`
    decimals at most for the k/M/B forms."""
    if value is None:
        return "—"
    number = float(value)
    size = abs(number)
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if size >= threshold:
            text = f"{number / threshold:.{digits}f}"
            if "." in text:
                text = text.rstrip("0").removesuffix(".")
            return f"{text}{suffix}"
    if number == int(number):
        return f"{int(number)}"
    return f"{number:.2f}".rstrip("0").rstrip(".")


# Thousands grouped by a narrow no-break space in tooltips ("12 345"): readable, and a chart's
# hundred hidden tooltips never pass for the page's own comma-grouped figures.
GROUP_SEPARATOR = "\u202f"


def axis_labels(ticks: Sequence[float]) -> list[str]:
    """The ticks' compact labels, with as many decimals as it takes to tell them apart
    (1 100 and 1 150 are "1.1k" and "1.15k", not "1.1k" twice)."""
    for digits in (1, 2, 3):
        labels = [compact_number(tick, digits=digits) for tick in ticks]
        if len(set(labels)) == len(labels):
            return labels
    return labels


def _full_number(value: float) -> str:
    text = f"{int(value):,}" if value == int(value) else f"{value:,.2f}"
    return text.replace(",", GROUP_SEPARATOR)


def _nice_step(span: float, count: int) -> float:
    raw = span / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round tick values covering `[low, high]`, about `count` intervals; never empty.

    Equal bounds are widened around the value (a flat series sits in the middle).
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0, 1.0]
    if low > high:
        low, high = high, low
    if low == high:
        if low == 0:
            low, high = 0.0, 1.0  # nothing yet: a line on the axis, no negative axis
        else:
            pad = max(1.0, abs(low) * 0.1)
            low, high = low - pad, high + pad
    step = _nice_step(high - low, count)
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    ticks = []
    value = first
    while value <= last + step / 2:
        ticks.append(round(value, 10))
        value += step
    return ticks if len(ticks) >= 2 else [first, first + step]


def _as_floats(values: Sequence[Number]) -> list[float | None]:
    result: list[float | None] = []
    for value in values:
        if value is None:
            result.append(None)
            continue
        number = float(value)
        result.append(number if math.isfinite(number) else None)
    return result


def _runs(points: list[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """Consecutive non-None points: one polyline each (None breaks the line)."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def _polyline(run: list[tuple[float, float]], color: str, width: float) -> str:
    coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
    return (
        f'<polyline fill="none" stroke="{escape(color)}" stroke-width="{width}" '
        f'stroke-linejoin="round" stroke-linecap="round" points="{coordinates}"/>'
    )


# --- Line chart -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plot:
    """Where a line chart draws: the plot area inside the margins, `n` x positions and the y
    range of the ticks."""

    width: int
    height: int
    n: int
    left: int = 56
    right_margin: int = 14
    top: int = 30
    bottom_margin: int = 30
    y_min: float = 0.0
    y_max: float = 1.0

    @property
    def plot_w(self) -> int:
        return self.width - self.left - self.right_margin

    @property
    def plot_h(self) -> int:
        return self.height - self.top - self.bottom_margin

    @property
    def bottom(self) -> int:
        return self.top + self.plot_h

    @property
    def right(self) -> int:
        return self.left + self.plot_w

    def y_of(self, value: float) -> float:
        return self.bottom - (value - self.y_min) / (self.y_max - self.y_min) * self.plot_h

    def x_of(self, index: int) -> float:
        if self.n == 1:
            return self.left + self.plot_w / 2
        return self.left + index * self.plot_w / (self.n - 1)


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str = "",
    width: int = 640,
    height: int = 220,
    zero_based: bool = False,
    chart_id: str = "",
    empty_text: str = "No data yet",
) -> SafeString:
    """A line chart of `series` over `labels` (one value per label in each series).

    `zero_based` keeps 0 on the y axis (counts that start from nothing, gains); otherwise the
    axis fits the values (a follower count moving from 98k to 103k stays readable).
    """
    n = len(labels)
    data = [(s, _as_floats(list(s.values)[:n]) + [None] * (n - len(s.values))) for s in series]
    present = [v for _, values in data for v in values if v is not None]
    parts = _chart_head(title, width, height, chart_id, len(present))
    if not present:
        parts.append(_empty_plot(_Plot(width, height, n), empty_text))
        return mark_safe("".join(parts))
    low, high = min(present), max(present)
    if zero_based:
        low, high = min(low, 0.0), max(high, 0.0)
    ticks = nice_ticks(low, high)
    plot = _Plot(width, height, n, y_min=ticks[0], y_max=ticks[-1])
    parts.extend(_grid(plot, ticks))
    parts.extend(_x_labels(plot, labels))
    for number, (serie, values) in enumerate(data):
        parts.extend(_series_marks(plot, labels, serie, values, number))
    if len(data) > 1:
        parts.extend(_legend(plot, [serie for serie, _ in data]))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _color(serie: Series, number: int) -> str:
    return serie.color or PALETTE[number % len(PALETTE)]


def _chart_head(title: str, width: int, height: int, chart_id: str, points: int) -> list[str]:
    id_attr = f' id="{escape(chart_id)}"' if chart_id else ""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="co-chart"{id_attr} role="img" '
        f'aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" style="max-width:100%;height:auto" data-points="{points}">'
    ]
    if title:
        parts.append(f"<title>{escape(title)}</title>")
        parts.append(
            f'<text x="{_Plot.left}" y="16" font-size="13" font-weight="600" fill="currentColor" '
            f"{TEXT_STYLE}>{escape(title)}</text>"
        )
    return parts


def _empty_plot(plot: _Plot, empty_text: str) -> str:
    return (
        f'<rect x="{plot.left}" y="{plot.top}" width="{plot.plot_w}" height="{plot.plot_h}" '
        f'fill="none" stroke="{GRID_COLOR}"/>'
        f'<text class="co-chart-empty" x="{plot.left + plot.plot_w / 2:.1f}" '
        f'y="{plot.top + plot.plot_h / 2:.1f}" text-anchor="middle" font-size="13" '
        f'fill="{AXIS_COLOR}" {TEXT_STYLE}>{escape(empty_text)}</text></svg>'
    )


def _grid(plot: _Plot, ticks: list[float]) -> list[str]:
    """Grid lines with the y axis labels, the zero line inside the range, and the axes."""
    parts = []
    for tick, label in zip(ticks, axis_labels(ticks), strict=True):
        y = plot.y_of(tick)
        parts.append(
            f'<line x1="{plot.left}" y1="{y:.1f}" x2="{plot.right}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOR}" stroke-width="1"/>'
            f'<text class="co-y-label" x="{plot.left - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f'font-size="11" fill="{AXIS_COLOR}" {TEXT_STYLE}>{escape(label)}</text>'
        )
    if plot.y_min < 0 < plot.y_max:
        zero = plot.y_of(0)
        parts.append(
            f'<line x1="{plot.left}" y1="{zero:.1f}" x2="{plot.right}" y2="{zero:.1f}" '
            f'stroke="{AXIS_COLOR}" stroke-width="1"/>'
        )
    parts.append(
        f'<line x1="{plot.left}" y1="{plot.top}" x2="{plot.left}" y2="{plot.bottom}" '
        f'stroke="{AXIS_COLOR}"/>'
        f'<line x1="{plot.left}" y1="{plot.bottom}" x2="{plot.right}" y2="{plot.bottom}" '
        f'stroke="{AXIS_COLOR}"/>'
    )
    return parts


def _x_labels(plot: _Plot, labels: Sequence[str]) -> list[str]:
    """At most about six x labels, always the first and the last."""
    n, bottom = plot.n, plot.bottom
    shown = max(1, min(n, 6))
    indexes = sorted({round(i * (n - 1) / (shown - 1)) for i in range(shown)} if shown > 1 else {0})
    parts = []
    for index in indexes:
        x = plot.x_of(index)
        anchor = "middle"
        if n > 1 and index == 0:
            anchor = "start"
        elif n > 1 and index == n - 1:
            anchor = "end"
        parts.append(
            f'<line x1="{x:.1f}" y1="{bottom}" x2="{x:.1f}" y2="{bottom + 4}" '
            f'stroke="{AXIS_COLOR}"/>'
            f'<text class="co-x-label" x="{x:.1f}" y="{bottom + 17}" text-anchor="{anchor}" '
            f'font-size="11" fill="{AXIS_COLOR}" {TEXT_STYLE}>{escape(labels[index])}</text>'
        )
    return parts


def _series_marks(
    plot: _Plot, labels: Sequence[str], serie: Series, values: list[float | None], number: int
) -> list[str]:
    """One series: its lines (broken at the gaps) and a point with a tooltip per value."""
    color = _color(serie, number)
    points = [None if v is None else (plot.x_of(i), plot.y_of(v)) for i, v in enumerate(values)]
    parts = [f'<g class="co-series" data-series="{escape(serie.name)}">']
    parts.extend(_polyline(run, color, 2) for run in _runs(points))
    for index, value in enumerate(values):
        if value is None:
            continue
        x, y = points[index]
        parts.append(
            f'<circle class="co-point" cx="{x:.1f}" cy="{y:.1f}" r="{3 if plot.n <= 60 else 2}" '
            f'fill="{escape(color)}" data-series="{escape(serie.name)}" '
            f'data-label="{escape(labels[index])}" data-value="{value:g}">'
            f"<title>{escape(labels[index])} · {escape(serie.name)}: "
            f"{escape(_full_number(value))}</title></circle>"
        )
    parts.append("</g>")
    return parts


def _legend(plot: _Plot, series: Sequence[Series]) -> list[str]:
    """The series' names, right-aligned above the plot."""
    parts = []
    x = plot.right
    for number in reversed(range(len(series))):
        serie = series[number]
        x -= 7 * len(serie.name) + 18
        parts.append(
            f'<g class="co-legend"><rect x="{x:.1f}" y="8" width="10" height="10" rx="2" '
            f'fill="{escape(_color(serie, number))}"/><text x="{x + 14:.1f}" y="17" '
            f'font-size="11" fill="currentColor" {TEXT_STYLE}>{escape(serie.name)}</text></g>'
        )
    return parts


# --- Sparkline --------------------------------------------------------------------------------


def sparkline(
    values: Sequence[Number],
    *,
    width: int = 100,
    height: int = 24,
    title: str = "",
    color: str = PALETTE[0],
) -> SafeString:
    """A small line of `values` (oldest first), with the last value marked; no axes."""
    numbers = _as_floats(values)
    present = [v for v in numbers if v is not None]
    pad = 3
    inner_w, inner_h = width - 2 * pad, height - 2 * pad
    hover = f"<title>{escape(title)}</title>" if title else ""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="co-sparkline" role="img" '
        f'aria-label="{escape(title or "Trend")}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" data-points="{len(present)}">{hover}'
    )
    if not present:
        middle = height / 2
        return mark_safe(
            f'{head}<line x1="{pad}" y1="{middle}" x2="{width - pad}" y2="{middle}" '
            f'stroke="{GRID_COLOR}" stroke-dasharray="3 3"/></svg>'
        )
    low, high = min(present), max(present)
    n = len(numbers)

    def x_of(index: int) -> float:
        return pad + inner_w / 2 if n == 1 else pad + index * inner_w / (n - 1)

    def y_of(value: float) -> float:
        if high == low:
            return height / 2
        return pad + inner_h - (value - low) / (high - low) * inner_h

    points = [None if v is None else (x_of(i), y_of(v)) for i, v in enumerate(numbers)]
    parts = [head]
    parts.extend(_polyline(run, color, 1.5) for run in _runs(points))
    last = next(point for point in reversed(points) if point is not None)
    parts.append(f'<circle cx="{last[0]:.1f}" cy="{last[1]:.1f}" r="2" fill="{escape(color)}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
