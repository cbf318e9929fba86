"""Charts as inline SVG, drawn here: no script, no font or file to fetch, readable on a phone.

Each function returns one `<svg class="chart">` with a title, labelled axes, the unit, a legend,
and an `aria-label` that says what it shows. Numbers are written the Danish way (1.234.567,8).
"""

from __future__ import annotations

import math
from html import escape

WIDTH = 640


def number(value: float | None, decimals: int = 0) -> str:
    """1234567.8 -> '1.234.568' (decimals=0) or '1.234.567,8' (decimals=1)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def scale(values: list[float]) -> tuple[float, str]:
    """The divisor and unit that keep the axis labels short."""
    top = max((abs(v) for v in values if v is not None), default=0)
    if top >= 2_000_000:
        return 1_000_000, "mio. t CO2e"
    if top >= 20_000:
        return 1_000, "1.000 t CO2e"
    return 1, "t CO2e"


def tick_labels(ticks: list[float]) -> list[str]:
    """The ticks in Danish, all with the decimals the finest of them needs (0, 2,5, 5,0, 7,5 and
    10,0; not 0, 2, 5, 8 and 10, as rounding each to whole numbers drew them)."""
    decimals = next((d for d in range(4) if all(abs(t - round(t, d)) < 1e-9 for t in ticks)), 4)
    return [number(t, decimals) for t in ticks]


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks, value = [], start
    while value <= high + step * 0.001:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(ticks[-1] + step)
    return ticks


def _legend(items: list[tuple[str, str, str]], y: float) -> str:
    """items: (label, colour, kind) with kind 'box' or 'line' or 'dash'."""
    parts, x = [], 10.0
    for label, colour, kind in items:
        width = 30 + 7 * len(label)
        if x + width > WIDTH - 10:
            x, y = 10.0, y + 18
        if kind == "box":
            parts.append(f'<rect x="{x}" y="{y - 9}" width="12" height="12" fill="{colour}"/>')
        else:
            dash = ' stroke-dasharray="6 4"' if kind == "dash" else ""
            parts.append(
                f'<line x1="{x}" y1="{y - 3}" x2="{x + 14}" y2="{y - 3}" stroke="{colour}" '
                f'stroke-width="3"{dash}/>'
            )
        parts.append(f'<text x="{x + 18}" y="{y + 1}" class="legend">{escape(label)}</text>')
        x += width
    return "".join(parts), y


def bars_and_paths(
    title: str,
    years: list[int],
    stacks: list[tuple[str, str, list[float | None]]],
    lines: list[tuple[str, str, str, list[float | None]]],
) -> str:
    """Stacked bars per year (parts below zero stack downwards), with lines across the years.

    stacks: (label, colour, value per year); lines: (label, colour, 'line'|'dash', value per year).
    """
    values = [v for _, _, vs in stacks for v in vs if v is not None]
    values += [v for *_, vs in lines for v in vs if v is not None]
    divisor, unit = scale(values)
    tops = [sum(max(vs[i] or 0, 0) for _, _, vs in stacks) for i in range(len(years))]
    bottoms = [sum(min(vs[i] or 0, 0) for _, _, vs in stacks) for i in range(len(years))]
    line_values = [v for *_, vs in lines for v in vs if v is not None]
    high = max(tops + line_values + [0]) / divisor
    low = min(bottoms + line_values + [0]) / divisor
    ticks = _ticks(low, high)
    left, right, top, height = 64, WIDTH - 12, 34, 230
    y_of = lambda v: top + height * (ticks[-1] - v) / (ticks[-1] - ticks[0])  # noqa: E731
    step = (right - left) / max(len(years), 1)
    bar = step * 0.62
    parts = [
        f'<text x="{left}" y="18" class="title">{escape(title)}</text>',
        f'<text x="12" y="{top + height / 2}" class="axis-label" '
        f'transform="rotate(-90 12 {top + height / 2})" text-anchor="middle">{escape(unit)}</text>',
    ]
    for tick, label in zip(ticks, tick_labels(ticks), strict=True):
        y = y_of(tick)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" class="grid"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" class="tick" text-anchor="end">{label}</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{y_of(0):.1f}" x2="{right}" y2="{y_of(0):.1f}" class="axis"/>'
    )
    label_every = max(1, math.ceil(len(years) / 10))
    for i, year in enumerate(years):
        x = left + step * i + (step - bar) / 2
        up, down = 0.0, 0.0
        for label, colour, vs in stacks:
            v = (vs[i] or 0) / divisor
            if v == 0:
                continue
            start = up if v > 0 else down
            end = start + v
            y1, y2 = sorted((y_of(start), y_of(end)))
            tip = f"{escape(label)} {year}: {number(vs[i])} t CO2e"
            parts.append(
                f'<rect x="{x:.1f}" y="{y1:.1f}" width="{bar:.1f}" '
                f'height="{max(y2 - y1, 0.5):.1f}" fill="{colour}"><title>{tip}</title></rect>'
            )
            if v > 0:
                up = end
            else:
                down = end
        if i % label_every == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{top + height + 16}" class="tick" '
                f'text-anchor="middle">{year}</text>'
            )
    for label, colour, kind, vs in lines:
        points = [
            f"{left + step * i + step / 2:.1f},{y_of(v / divisor):.1f}"
            for i, v in enumerate(vs)
            if v is not None
        ]
        if len(points) > 1:
            dash = ' stroke-dasharray="6 4"' if kind == "dash" else ""
            parts.append(
                f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
                f'stroke-width="2.5"{dash}><title>{escape(label)}</title></polyline>'
            )
    legend, bottom = _legend(
        [(label, colour, "box") for label, colour, _ in stacks]
        + [(label, colour, kind) for label, colour, kind, _ in lines],
        top + height + 38,
    )
    parts.append(legend)
    return _svg(title, parts, bottom + 10)


def stacked_rows(
    title: str,
    categories: list[str],
    segments: list[tuple[str, str, list[float]]],
    markers: list[float | None] | None = None,
    marker_label: str = "",
) -> str:
    """One horizontal stacked bar per category, with an optional marker (e.g. the need) on each."""
    totals = [sum(max(vs[i], 0) for _, _, vs in segments) for i in range(len(categories))]
    values = totals + [m for m in (markers or []) if m is not None]
    divisor, unit = scale(values)
    high = max(values + [1]) / divisor
    ticks = _ticks(0, high, 4)
    left, right, top, row = 118, WIDTH - 16, 34, 30
    x_of = lambda v: left + (right - left) * v / ticks[-1]  # noqa: E731
    height = row * len(categories)
    parts = [f'<text x="10" y="18" class="title">{escape(title)}</text>']
    for tick, label in zip(ticks, tick_labels(ticks), strict=True):
        x = x_of(tick)
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + height}" class="grid"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{top + height + 14}" class="tick" text-anchor="middle">'
            f"{label}</text>"
        )
    parts.append(
        f'<text x="{(left + right) / 2}" y="{top + height + 30}" class="axis-label" '
        f'text-anchor="middle">{escape(unit)} om året</text>'
    )
    for i, category in enumerate(categories):
        y = top + row * i + 5
        parts.append(
            f'<text x="{left - 6}" y="{y + 14}" class="tick" text-anchor="end">'
            f"{escape(category)}</text>"
        )
        start = 0.0
        for label, colour, vs in segments:
            v = max(vs[i], 0) / divisor
            if v <= 0:
                continue
            parts.append(
                f'<rect x="{x_of(start):.1f}" y="{y}" width="{x_of(start + v) - x_of(start):.1f}" '
                f'height="{row - 10}" fill="{colour}"><title>{escape(category)}, '
                f"{escape(label)}: {number(vs[i])} t CO2e</title></rect>"
            )
            start += v
        if markers and markers[i] is not None:
            x = x_of(markers[i] / divisor)
            parts.append(
                f'<line x1="{x:.1f}" y1="{y - 3}" x2="{x:.1f}" y2="{y + row - 7}" class="marker">'
                f"<title>{escape(marker_label)}: {number(markers[i])} t CO2e</title></line>"
            )
    items = [(label, colour, "box") for label, colour, _ in segments]
    if markers:
        items.append((marker_label, "#111", "line"))
    legend, bottom = _legend(items, top + height + 50)
    parts.append(legend)
    return _svg(title, parts, bottom + 10)


def _svg(title: str, parts: list[str], height: float) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(parts)}</svg>"
    )
