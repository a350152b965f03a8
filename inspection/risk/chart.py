"""The grade history as a chart: the score at each change over the last year."""

from __future__ import annotations

from inspection import clock
from inspection.statistics.charts import score_steps


def history_chart(history: list, title: str, thresholds=(30, 50, 70)) -> str | None:
    """An SVG of the score's steps, or None with fewer than two points to draw."""
    if len(history) < 2:
        return None
    days = tuple(clock.local(h.at).strftime("%m-%d") for h in history)
    scores = tuple(h.score for h in history)
    return score_steps(title, days, scores, tuple(thresholds))
