"""Charts as inline SVG, drawn here: no script, no font or file to fetch, readable on a phone.

Each chart is drawn twice, for a wide and a narrow screen (`pair`), so that its text is drawn at
its own size on both instead of shrinking with the screen. Each has a title, labelled axes, the
unit, a legend, and an `aria-label` that says what it shows. Numbers are written the reader's way
(1.234.567,8 in Danish, 1,234,567.8 in English).

Drawn by hand, not by Vega-Lite (vl-convert): one Vega-Lite chart takes about 40 ms to render
here, and the report draws four charts per municipality and language; at 10,000 municipalities
that alone would be an hour of the night.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

WIDE, NARROW = 640, 360


@dataclass(frozen=True)
class Style:
    """How numbers and units are written in one language."""

    thousands: str
    decimal: str
    million_t: str
    thousand_t: str
    per_year: str

    def number(self, value: float | None, decimals: int = 0) -> str:
        """1234567.8 -> '1.234.568' (Danish, decimals=0) or '1,234,567.8' (English, decimals=1)."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        text = f"{value:,.{decimals}f}".replace(",", "\0").replace(".", self.decimal)
        return text.replace("\0", self.thousands)

    def scale(self, values: list[float]) -> tuple[float, str]:
        """The divisor and unit that keep the axis labels short."""
        top = max((abs(v) for v in values if v is not None), default=0)
        if top >= 2_000_000:
            return 1_000_000, self.million_t
        if top >= 20_000:
            return 1_000, self.thousand_t
        return 1, "t CO2e"

    def tick_labels(self, ticks: list[float]) -> list[str]:
        """The ticks, all with the decimals the finest of them needs (0, 2,5, 5,0, 7,5 and 10,0;
        not 0, 2, 5, 8 and 10, as rounding each to whole numbers drew them)."""
        decimals = next((d for d in range(4) if all(abs(t - round(t, d)) < 1e-9 for t in ticks)), 4)
        return [self.number(t, decimals) for t in ticks]


DA = Style(".", ",", "mio. t CO2e", "1.000 t CO2e", "om året")
EN = Style(",", ".", "million t CO2e", "1,000 t CO2e", "a year")
STYLES = {"da": DA, "en": EN}


def number(value: float | None, decimals: int = 0) -> str:
    return DA.number(value, decimals)


def tick_labels(ticks: list[float]) -> list[str]:
    return DA.tick_labels(ticks)


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Nice numbers (1, 2, 2.5 or 5 times a power of ten) from at or below `low` to at or above
    `high`, about `count` steps."""
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


def _title(title: str, width: int) -> tuple[str, float]:
    """The title, wrapped at words to the chart's width; returns it and the height it takes."""
    most = int((width - 16) / 8.4)  # characters of 14 px bold that fit on a line
    lines, line = [], ""
    for word in title.split():
        if line and len(line) + 1 + len(word) > most:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    spans = "".join(
        f'<tspan x="8" dy="{0 if i == 0 else 18}">{escape(text)}</tspan>'
        for i, text in enumerate(lines)
    )
    return f'<text x="8" y="18" class="title">{spans}</text>', 18 * (len(lines) - 1)


def _legend(items: list[tuple[str, str, str]], y: float, width: int) -> tuple[str, float]:
    """items: (label, colour, kind), kind one of box, line, dash, dot, band, marker. Wraps."""
    parts, x = [], 10.0
    for label, colour, kind in items:
        item_width = 30 + 7.2 * len(label)
        if x + item_width > width - 6 and x > 10:
            x, y = 10.0, y + 18
        if kind in ("box", "band"):
            opacity = ' fill-opacity="0.35"' if kind == "band" else ""
            parts.append(
                f'<rect x="{x}" y="{y - 9}" width="12" height="12" fill="{colour}"{opacity}/>'
            )
        elif kind == "marker":
            parts.append(_diamond(x + 6, y - 3, colour))
        else:
            parts.append(
                f'<line x1="{x}" y1="{y - 3}" x2="{x + 14}" y2="{y - 3}" stroke="{colour}" '
                f'stroke-width="3"{_DASH.get(kind, "")}/>'
            )
        parts.append(f'<text x="{x + 18}" y="{y + 1}" class="legend">{escape(label)}</text>')
        x += item_width
    return "".join(parts), y


_DASH = {"dash": ' stroke-dasharray="7 4"', "dot": ' stroke-dasharray="2 3"'}


def _diamond(x: float, y: float, colour: str, size: float = 6, tip: str = "") -> str:
    title = f"<title>{escape(tip)}</title>" if tip else ""
    return (
        f'<path d="M{x:.1f} {y - size:.1f}L{x + size:.1f} {y:.1f}L{x:.1f} {y + size:.1f}'
        f'L{x - size:.1f} {y:.1f}Z" fill="{colour}" stroke="#fff" stroke-width="1">{title}</path>'
    )


@dataclass
class Band:
    """A range per year (e.g. the projections of several methods), drawn as a shaded area."""

    label: str
    colour: str
    low: list[float | None]
    high: list[float | None]


@dataclass
class Marker:
    """One value in one year (e.g. the 2030 target), drawn as a diamond."""

    label: str
    colour: str
    year: int
    value: float


def bars_and_paths(
    title: str,
    years: list[int],
    stacks: list[tuple[str, str, list[float | None]]],
    lines: list[tuple[str, str, str, list[float | None]]],
    band: Band | None = None,
    marker: Marker | None = None,
    width: int = WIDE,
    style: Style = DA,
) -> str:
    """Stacked bars per year (parts below zero stack downwards), with lines across the years, an
    optional band and an optional marker.

    stacks: (label, colour, value per year); lines: (label, colour, 'line'|'dash'|'dot', value per
    year).
    """
    values = [v for _, _, vs in stacks for v in vs if v is not None]
    values += [v for *_, vs in lines for v in vs if v is not None]
    if band:
        values += [v for v in band.low + band.high if v is not None]
    if marker:
        values.append(marker.value)
    divisor, unit = style.scale(values)
    tops = [sum(max(vs[i] or 0, 0) for _, _, vs in stacks) for i in range(len(years))]
    bottoms = [sum(min(vs[i] or 0, 0) for _, _, vs in stacks) for i in range(len(years))]
    others = [v for v in values if v is not None]
    high = max(tops + others + [0]) / divisor
    low = min(bottoms + others + [0]) / divisor
    ticks = _ticks(low, high, 5 if width >= WIDE else 4)
    heading, extra = _title(title, width)
    left, right, top, height = 58, width - 10, 36 + extra, 230 if width >= WIDE else 200
    y_of = lambda v: top + height * (ticks[-1] - v) / (ticks[-1] - ticks[0])  # noqa: E731
    step = (right - left) / max(len(years), 1)
    x_mid = lambda i: left + step * i + step / 2  # noqa: E731
    bar = step * 0.66
    parts = [
        heading,
        f'<text x="12" y="{top + height / 2}" class="axis-label" '
        f'transform="rotate(-90 12 {top + height / 2})" text-anchor="middle">{escape(unit)}</text>',
    ]
    for tick, label in zip(ticks, style.tick_labels(ticks), strict=True):
        y = y_of(tick)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" class="grid"/>')
        parts.append(
            f'<text x="{left - 5}" y="{y + 4:.1f}" class="tick" text-anchor="end">{label}</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{y_of(0):.1f}" x2="{right}" y2="{y_of(0):.1f}" class="axis"/>'
    )
    if band:
        upper = [(x_mid(i), v) for i, v in enumerate(band.high) if v is not None]
        lower = [(x_mid(i), v) for i, v in enumerate(band.low) if v is not None]
        if len(upper) > 1 and len(lower) == len(upper):
            points = upper + lower[::-1]
            path = " ".join(f"{x:.1f},{y_of(v / divisor):.1f}" for x, v in points)
            parts.append(
                f'<polygon points="{path}" fill="{band.colour}" fill-opacity="0.35" '
                f'stroke="{band.colour}" stroke-width="1"><title>{escape(band.label)}</title>'
                "</polygon>"
            )
    label_every = max(1, math.ceil(len(years) / (10 if width >= WIDE else 6)))
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
            tip = f"{escape(label)} {year}: {style.number(vs[i])} t CO2e"
            parts.append(
                f'<rect x="{x:.1f}" y="{y1:.1f}" width="{bar:.1f}" '
                f'height="{max(y2 - y1, 0.5):.1f}" fill="{colour}"><title>{tip}</title></rect>'
            )
            if v > 0:
                up = end
            else:
                down = end
        if (len(years) - 1 - i) % label_every == 0:  # the last year always has its label
            parts.append(
                f'<text x="{x_mid(i):.1f}" y="{top + height + 16}" class="tick" '
                f'text-anchor="middle">{year}</text>'
            )
    for label, colour, kind, vs in lines:
        points = [
            f"{x_mid(i):.1f},{y_of(v / divisor):.1f}" for i, v in enumerate(vs) if v is not None
        ]
        if len(points) > 1:
            parts.append(
                f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
                f'stroke-width="2.5"{_DASH.get(kind, "")}><title>{escape(label)}</title></polyline>'
            )
    if marker and marker.year in years:
        tip = f"{marker.label}: {style.number(marker.value)} t CO2e"
        x, y = x_mid(years.index(marker.year)), y_of(marker.value / divisor)
        parts.append(_diamond(x, y, marker.colour, 7, tip))
    items = [(label, colour, "box") for label, colour, _ in stacks]
    items += [(label, colour, kind) for label, colour, kind, vs in lines if any(vs)]
    if band:
        items.append((band.label, band.colour, "band"))
    if marker:
        items.append((marker.label, marker.colour, "marker"))
    legend, bottom = _legend(items, top + height + 40, width)
    parts.append(legend)
    return _svg(title, parts, bottom + 10, width)


def stacked_rows(
    title: str,
    categories: list[str],
    segments: list[tuple[str, str, list[float]]],
    markers: list[float | None] | None = None,
    marker_label: str = "",
    width: int = WIDE,
    style: Style = DA,
) -> str:
    """One horizontal stacked bar per category, with an optional marker (e.g. the need) on each."""
    totals = [sum(max(vs[i], 0) for _, _, vs in segments) for i in range(len(categories))]
    values = totals + [m for m in (markers or []) if m is not None]
    divisor, unit = style.scale(values)
    high = max(values + [1]) / divisor
    ticks = _ticks(0, high, 4 if width >= WIDE else 3)
    heading, extra = _title(title, width)
    left = 112 if width >= WIDE else 96
    right, top, row = width - 16, 34 + extra, 30
    x_of = lambda v: left + (right - left) * v / ticks[-1]  # noqa: E731
    height = row * len(categories)
    parts = [heading]
    for tick, label in zip(ticks, style.tick_labels(ticks), strict=True):
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
        f'text-anchor="middle">{escape(unit)} {style.per_year}</text>'
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
                f"{escape(label)}: {style.number(vs[i])} t CO2e</title></rect>"
            )
            start += v
        if markers and markers[i] is not None:
            x = x_of(markers[i] / divisor)
            parts.append(
                f'<line x1="{x:.1f}" y1="{y - 3}" x2="{x:.1f}" y2="{y + row - 7}" class="marker">'
                f"<title>{escape(marker_label)}: {style.number(markers[i])} t CO2e</title></line>"
            )
    items = [(label, colour, "box") for label, colour, _ in segments]
    if markers:
        items.append((marker_label, "#111", "line"))
    legend, bottom = _legend(items, top + height + 50, width)
    parts.append(legend)
    return _svg(title, parts, bottom + 10, width)


def pair(draw, *args, **kwargs) -> str:
    """The chart drawn for a wide and for a narrow screen; the stylesheet shows one of them."""
    return (
        f'<div class="chart-wide">{draw(*args, width=WIDE, **kwargs)}</div>'
        f'<div class="chart-narrow">{draw(*args, width=NARROW, **kwargs)}</div>'
    )


def _svg(title: str, parts: list[str], height: float, width: int) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height:.0f}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(parts)}</svg>"
    )
