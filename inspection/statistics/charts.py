"""Charts as SVG, drawn on the server with Matplotlib so the page and the PDF show the same
picture in the same explicitly chosen CJK font (Noto Sans CJK SC).

Two media: on screen the text is drawn as outlines, so the Chinese labels look the same in any
browser whatever fonts the tablet has; in print it stays text naming that font, which the
server that makes the PDF has, and which WeasyPrint lays out several times faster than
hundreds of glyph outlines."""

from __future__ import annotations

import functools
import io
import logging
import re
from typing import TYPE_CHECKING

from inspection.fonts import cjk_font_family
from inspection.fonts import cjk_font_file

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

log = logging.getLogger(__name__)

# Matplotlib is imported where a chart is drawn, not with this module: it takes about 0.4 s,
# which every process (the scheduler, each web worker, each command) would pay at start.

BLUE = "#0b5cab"
GREEN = "#067647"
RED = "#b42318"
GREY = "#475467"


def _font(size: float) -> FontProperties:
    from matplotlib import font_manager

    found = cjk_font_file()
    if found is None:
        log.warning("no CJK font found: Chinese chart labels will not show")
        return font_manager.FontProperties(size=size)
    return font_manager.FontProperties(fname=font_manager.FontPath(*found), size=size)


def _svg(figure: Figure, title: str, medium: str) -> str:
    """The figure as an SVG element with an accessible name."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    out = io.StringIO()
    fonttype = "path" if medium == "screen" else "none"
    with rc_context({"svg.fonttype": fonttype, "svg.hashsalt": "inspection"}):
        FigureCanvasSVG(figure).print_svg(out)
    svg = out.getvalue()
    svg = svg[svg.index("<svg") :]
    # The pages' Content-Security-Policy forbids inline styles: say the same with attributes.
    svg = re.sub(r"<style[^>]*>.*?</style>|<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r'style="([^"]*)"', _attributes, svg)
    if medium == "print":
        family = (cjk_font_family() or "sans-serif").replace('"', "")
        svg = re.sub(r'font-family="[^"]*"', f'font-family="{family}"', svg)
    # Fit the container; say what it shows to screen readers (the table beside it has the data).
    svg = re.sub(r'width="[\d.]+pt" height="[\d.]+pt"', 'width="100%"', svg, count=1)
    safe = title.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{safe}" ', 1)


def _figure(height: float) -> Figure:
    """A blank figure the width of a page's column (8 in at 100 dpi)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(8, height), dpi=100)


def _attributes(match: re.Match) -> str:
    """`style="fill: #fff; opacity: 0.5"` -> `fill="#fff" opacity="0.5"`."""
    pairs = (part.split(":", 1) for part in match.group(1).split(";") if ":" in part)
    return " ".join(f'{name.strip()}="{value.strip()}"' for name, value in pairs)


def _frame(ax, font) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(colors=GREY, labelsize=font.get_size())
    for label in (*ax.get_xticklabels(), *ax.get_yticklabels()):
        label.set_fontproperties(font)


@functools.lru_cache(maxsize=256)
def trend(
    title: str,
    months: tuple[str, ...],
    found: tuple[int, ...],
    closed: tuple[int, ...],
    labels: tuple[str, str, str],
    medium: str = "screen",
) -> str:
    """Hazards found and closed each month (bars) with the closure rate (line)."""
    from matplotlib.ticker import MaxNLocator
    from matplotlib.ticker import PercentFormatter

    font, small = _font(10), _font(9)
    figure = _figure(3.2)
    ax = figure.add_subplot()
    positions = range(len(months))
    width = 0.38
    ax.bar([p - width / 2 for p in positions], found, width, color=BLUE, label=labels[0])
    ax.bar([p + width / 2 for p in positions], closed, width, color=GREEN, label=labels[1])
    ax.set_xticks(list(positions), months)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    rates = [c / f if f else None for f, c in zip(found, closed, strict=True)]
    right = ax.twinx()
    right.plot(
        [p for p, r in zip(positions, rates, strict=True) if r is not None],
        [r for r in rates if r is not None],
        color=RED,
        marker="o",
        linewidth=2,
        label=labels[2],
    )
    right.set_ylim(0, 1.05)
    right.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    _frame(ax, small)
    _frame(right, small)
    right.spines["right"].set_visible(True)
    handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    ax.legend(
        handles=handles,
        prop=font,
        loc="upper left",
        ncols=3,
        frameon=False,
        bbox_to_anchor=(0, 1.16),
    )
    figure.tight_layout()
    return _svg(figure, title, medium)


@functools.lru_cache(maxsize=256)
def bars(
    title: str,
    names: tuple[str, ...],
    found: tuple[int, ...],
    closed: tuple[int, ...],
    labels: tuple[str, str],
    medium: str = "screen",
) -> str:
    """Found and closed per zone, industry or category, as horizontal bars (largest on top)."""
    from matplotlib.ticker import MaxNLocator

    font, small = _font(10), _font(9)
    height = max(1.6, 0.42 * len(names) + 0.9)
    figure = _figure(height)
    ax = figure.add_subplot()
    positions = list(range(len(names)))[::-1]
    ax.barh([p + 0.2 for p in positions], found, 0.4, color=BLUE, label=labels[0])
    ax.barh([p - 0.2 for p in positions], closed, 0.4, color=GREEN, label=labels[1])
    ax.set_yticks(positions, names)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _frame(ax, small)
    ax.legend(prop=font, loc="lower right", bbox_to_anchor=(1, 1), ncols=2, frameon=False)
    figure.tight_layout()
    return _svg(figure, title, medium)


@functools.lru_cache(maxsize=256)
def score_steps(
    title: str,
    days: tuple[str, ...],
    scores: tuple[int, ...],
    thresholds: tuple[int, int, int],
    medium: str = "screen",
) -> str:
    """A score over time as steps, over bands coloured by the grade each range of it gives
    (blue, yellow, orange, red from the bottom)."""
    font = _font(9)
    figure = _figure(2.6)
    ax = figure.add_subplot()
    yellow, orange, red = thresholds
    for low, high, colour in (
        (0, yellow, "#d1e9ff"),
        (yellow, orange, "#fef7c3"),
        (orange, red, "#fddcab"),
        (red, 100, "#fecdca"),
    ):
        ax.axhspan(low, high, color=colour, linewidth=0)
    positions = list(range(len(days)))
    ax.step(positions, scores, where="post", color=BLUE, linewidth=2, marker="o")
    step = max(1, len(days) // 6)
    ax.set_xticks(positions[::step], days[::step])
    ax.set_ylim(0, 100)
    ax.set_xlim(-0.5, max(len(days) - 0.5, 0.5))
    _frame(ax, font)
    figure.tight_layout()
    return _svg(figure, title, medium)


@functools.lru_cache(maxsize=64)
def grade_history(
    title: str,
    dates: tuple[str, ...],
    scores: tuple[float, ...],
    cutoffs: tuple[tuple[float, str], ...],
    medium: str = "screen",
) -> str:
    """A park's assessment scores over time (line), with the grade cut-offs as dashed lines."""
    font, small = _font(10), _font(9)
    figure = _figure(3.2)
    ax = figure.add_subplot()
    positions = list(range(len(dates)))
    ax.plot(positions, scores, color=BLUE, marker="o", linewidth=2)
    for position, value in zip(positions, scores, strict=True):
        ax.annotate(
            f"{value:g}",
            (position, value),
            textcoords="offset points",
            xytext=(0, 7),
            ha="center",
            fontproperties=small,
        )
    for value, name in cutoffs:
        ax.axhline(value, color=RED, linestyle="--", linewidth=1)
        ax.text(len(dates) - 0.5, value + 1, name, color=RED, fontproperties=small, ha="right")
    ax.set_xticks(positions, dates)
    ax.set_xlim(-0.5, max(len(dates) - 0.5, 0.5))
    ax.set_ylim(0, 105)
    _frame(ax, small)
    ax.set_title(title, fontproperties=font)
    figure.tight_layout()
    return _svg(figure, title, medium)
