"""Small SVG bar and line charts drawn in Python for the annual report (no browser, no JavaScript).

Values of None (suppressed cells) are drawn as gaps. Text is escaped; the fonts are the report's.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

PALETTE = ("#2f6fb0", "#e08a2c", "#3f9a5a", "#b8434a")


def _scale(values: Sequence[Sequence[float | None]]) -> float:
    top = max((value for series in values for value in series if value is not None), default=0.0)
    if top <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(top))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if top <= step * magnitude:
            return float(step * magnitude)
    return float(top)


def _frame(width: int, height: int, top: float, left: int, bottom: int) -> list[str]:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-size="9">'
    ]
    plot_height = height - bottom - 20
    for index in range(5):
        y = 20 + plot_height * index / 4
        value = top * (4 - index) / 4
        label = f"{value:,.0f}" if top >= 10 else f"{value:,.2f}"
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 8}" y2="{y:.1f}" stroke="#ddd" stroke-width="0.6"/>'
        )
        parts.append(f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end" fill="#555">{label}</text>')
    return parts


def _legend(parts: list[str], names: Sequence[str], left: int) -> None:
    x = left
    for index, name in enumerate(names):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="4" width="9" height="9" fill="{colour}"/>')
        parts.append(f'<text x="{x + 12}" y="12" fill="#333">{escape(name)}</text>')
        x += 16 + 10 * len(name)


def bar_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    width: int = 480,
    height: int = 220,
) -> str:
    """Grouped vertical bars: one group per label, one bar per series."""
    left, bottom = 56, 48
    top = _scale([values for _name, values in series])
    parts = _frame(width, height, top, left, bottom)
    _legend(parts, [name for name, _values in series], left)
    plot_width = width - left - 8
    plot_height = height - bottom - 20
    groups = max(len(labels), 1)
    group_width = plot_width / groups
    bar_width = group_width * 0.8 / max(len(series), 1)
    for index, label in enumerate(labels):
        x0 = left + index * group_width + group_width * 0.1
        for number, (_name, values) in enumerate(series):
            value = values[index] if index < len(values) else None
            if value is None:
                continue
            bar_height = plot_height * max(value, 0) / top
            x = x0 + number * bar_width
            y = 20 + plot_height - bar_height
            colour = PALETTE[number % len(PALETTE)]
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_width:.1f}" height="{bar_height:.1f}" fill="{colour}"/>'
            )
        text_x = left + index * group_width + group_width / 2
        short = label if len(label) <= 8 else label[:7] + "…"
        parts.append(
            f'<text x="{text_x:.1f}" y="{height - bottom + 14}" text-anchor="middle" fill="#333">{escape(short)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    width: int = 480,
    height: int = 220,
) -> str:
    """Lines over the labels (gaps where a value is None), with a dot per point."""
    left, bottom = 56, 32
    top = _scale([values for _name, values in series])
    parts = _frame(width, height, top, left, bottom)
    _legend(parts, [name for name, _values in series], left)
    plot_width = width - left - 8
    plot_height = height - bottom - 20
    step = plot_width / max(len(labels), 1)
    for index, label in enumerate(labels):
        x = left + step * (index + 0.5)
        parts.append(
            f'<text x="{x:.1f}" y="{height - bottom + 14}" text-anchor="middle" fill="#333">{escape(label)}</text>'
        )
    for number, (_name, values) in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        segment: list[str] = []
        for index, value in enumerate(values):
            if value is None:
                if len(segment) > 1:
                    parts.append(
                        f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{" ".join(segment)}"/>'
                    )
                segment = []
                continue
            x = left + step * (index + 0.5)
            y = 20 + plot_height - plot_height * max(value, 0) / top
            segment.append(f"{x:.1f},{y:.1f}")
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.2" fill="{colour}"/>')
        if len(segment) > 1:
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{" ".join(segment)}"/>'
            )
    parts.append("</svg>")
    return "".join(parts)
