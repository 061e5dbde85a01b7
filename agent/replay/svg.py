"""Small charts drawn as inline SVG: the replay page needs no script and no network.

Every label is escaped here (rule names and people come from policies and
Jira); the page's template escapes the rest.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
OUTCOME_COLOURS = {"on time": "#59a14f", "late": "#edc948", "missed": "#e15759"}


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def stacked_bars(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    title: str,
    colours: Sequence[str] | None = None,
    width: int = 900,
    height: int = 260,
) -> Markup:
    """Vertical bars, one per label, stacked by series, with a legend below."""
    left, bottom, top = 40, 40, 10
    plot_w, plot_h = width - left - 10, height - bottom - top
    totals = [sum(values[i] for _name, values in series) for i in range(len(labels))]
    peak = max([*totals, 1])
    step = plot_w / max(len(labels), 1)
    bar = min(36.0, max(1.0, step * 0.8))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{height + 20 + 18 * ((len(series) + 3) // 4)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" '
        'stroke="#888"/>',
        f'<text x="{left - 6}" y="{top + 10}" text-anchor="end" class="axis">{peak}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" class="axis">0</text>',
    ]
    for index, label in enumerate(labels):
        x = left + index * step + (step - bar) / 2
        y = float(top + plot_h)
        for number, (name, values) in enumerate(series):
            value = values[index]
            if not value:
                continue
            h = plot_h * value / peak
            y -= h
            fill = colours[number] if colours else colour(number)
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{fill}"><title>{escape(label)}: {escape(name)} {value}</title></rect>'
            )
        every = max(1, len(labels) // 12)
        if index % every == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                f'class="axis">{escape(label)}</text>'
            )
    parts += _legend([name for name, _values in series], colours, left, height + 8, width)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped above


def share_bar(parts_: Sequence[tuple[str, int]], *, width: int = 260, height: int = 16) -> Markup:
    """One horizontal bar split by share (on time / late / missed)."""
    total = sum(value for _name, value in parts_) or 1
    x = 0.0
    pieces = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'class="share" role="img">'
    ]
    for name, value in parts_:
        if not value:
            continue
        w = width * value / total
        fill = OUTCOME_COLOURS.get(name, "#999")
        pieces.append(
            f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{height}" fill="{fill}">'
            f"<title>{escape(name)}: {value}</title></rect>"
        )
        x += w
    pieces.append("</svg>")
    return Markup("".join(pieces))  # noqa: S704 - every interpolated text is escaped above


def _legend(
    names: Sequence[str], colours: Sequence[str] | None, left: int, y: int, width: int
) -> list[str]:
    parts = []
    column = max(160, (width - left) // 4)
    for index, name in enumerate(names):
        x = left + (index % 4) * column
        row = y + 18 * (index // 4)
        fill = colours[index] if colours else colour(index)
        parts.append(
            f'<rect x="{x}" y="{row}" width="10" height="10" fill="{fill}"/>'
            f'<text x="{x + 14}" y="{row + 9}" class="legend">{escape(name[:40])}</text>'
        )
    return parts
