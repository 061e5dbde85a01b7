"""The Confluence chart macro drawn as an inline SVG bar chart, as Confluence draws it.

Confluence renders ``<ac:structured-macro ac:name="chart">`` as a picture of the
table in its body (https://confluence.atlassian.com/doc/chart-macro-136389.html):
with ``dataOrientation`` vertical, the first column names the categories (the
weeks) and every other column is a series (opened, closed, breaches), bars side
by side unless ``stacked`` is true. The viewer draws that picture so a page reads
as it would in Confluence; the table stays below it. Every label comes from a
page body and is escaped; a cell that is not a number counts as 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#76b7b2", "#edc948")
MAX_WIDTH, MAX_HEIGHT = 1200, 800


@dataclass(frozen=True)
class ChartData:
    """Categories (x axis) and the series drawn over them, one value per category."""

    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]


def _number(text: str) -> float:
    try:
        return max(0.0, float(text.strip().replace(",", "")))
    except ValueError:
        return 0.0


def chart_data(rows: Sequence[Sequence[str]], *, vertical: bool = True) -> ChartData | None:
    """The table as chart data: header row first. ``vertical``: rows are categories and
    columns series (Confluence's ``dataOrientation=vertical``); else the other way round.
    None when there is nothing to draw."""
    table = [list(row) for row in rows if row]
    if len(table) < 2 or len(table[0]) < 2:
        return None
    if not vertical:
        width = max(len(row) for row in table)
        padded = [row + [""] * (width - len(row)) for row in table]
        table = [list(column) for column in zip(*padded, strict=True)]
    header, body = table[0], table[1:]
    categories = tuple(row[0] for row in body)
    series = tuple(
        (name, tuple(_number(row[i]) if i < len(row) else 0.0 for row in body))
        for i, name in enumerate(header[1:], start=1)
    )
    return ChartData(categories, series)


def _tick_step(peak: float) -> float:
    """A round step giving about four gridlines up to ``peak``."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if peak / step <= 5:
            return float(step)
    return float(10 ** len(str(int(peak))) / 10)


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def bar_chart(
    data: ChartData, *, title: str, width: int = 700, height: int = 300, stacked: bool = False
) -> Markup:
    """An SVG bar chart of ``data``: title, y gridlines with values, bars per category
    (grouped, or stacked), category labels under the axis and a legend."""
    width = min(max(width, 240), MAX_WIDTH)
    height = min(max(height, 160), MAX_HEIGHT)
    left, right, top, bottom = 44, 12, 30, 70
    plot_w, plot_h = width - left - right, height - top - bottom
    count = max(len(data.categories), 1)
    if stacked:
        peak = max([sum(v[i] for _n, v in data.series) for i in range(len(data.categories))] + [1])
    else:
        peak = max([value for _n, values in data.series for value in values] + [1])
    step = _tick_step(peak)
    ceiling = step * -(-peak // step)
    slot = plot_w / count
    group = slot * 0.8
    bar_w = group if stacked else group / max(len(data.series), 1)

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * value / ceiling

    parts = [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" role="img" '
            'width="{0}" height="{1}" viewBox="0 0 {0} {1}" aria-label="{2}">'
        ).format(width, height, title),
        Markup("<title>{0}</title>").format(title),
        Markup(
            '<text x="{0}" y="18" text-anchor="middle" font-size="14" font-weight="600">{1}</text>'
        ).format(width / 2, title),
    ]
    tick = 0.0
    while tick <= ceiling:
        y = y_of(tick)
        parts.append(
            Markup(
                '<line x1="{0}" y1="{1:.1f}" x2="{2}" y2="{1:.1f}" stroke="#ddd"/>'
                '<text x="{3}" y="{4:.1f}" text-anchor="end" font-size="11" fill="#555">'
                "{5}</text>"
            ).format(left, y, width - right, left - 6, y + 4, _fmt(tick))
        )
        tick += step
    for index, category in enumerate(data.categories):
        x0 = left + index * slot + (slot - group) / 2
        base = 0.0
        for number, (name, values) in enumerate(data.series):
            value = values[index]
            x = x0 if stacked else x0 + number * bar_w
            y_top = y_of(base + value)
            y_bottom = y_of(base)
            parts.append(
                Markup(
                    '<rect class="bar" x="{0:.1f}" y="{1:.1f}" width="{2:.1f}" '
                    'height="{3:.1f}" fill="{4}"><title>{5} {6}: {7}</title></rect>'
                ).format(
                    x,
                    y_top,
                    max(bar_w - 1, 1),
                    y_bottom - y_top,
                    PALETTE[number % len(PALETTE)],
                    category,
                    name,
                    _fmt(value),
                )
            )
            if stacked:
                base += value
        label_x = left + index * slot + slot / 2
        parts.append(
            Markup(
                '<text x="{0:.1f}" y="{1}" font-size="10" fill="#333" text-anchor="end" '
                'transform="rotate(-40 {0:.1f} {1})">{2}</text>'
            ).format(label_x, top + plot_h + 14, category)
        )
    parts.append(
        Markup('<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="#888"/>').format(
            left, top + plot_h, width - right
        )
    )
    legend_x = float(left)
    for number, (name, _values) in enumerate(data.series):
        parts.append(
            Markup(
                '<rect x="{0:.1f}" y="{1}" width="10" height="10" fill="{2}"/>'
                '<text x="{3:.1f}" y="{4}" font-size="11">{5}</text>'
            ).format(
                legend_x,
                height - 14,
                PALETTE[number % len(PALETTE)],
                legend_x + 14,
                height - 5,
                name,
            )
        )
        legend_x += 24 + 7 * len(str(escape(name)))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
