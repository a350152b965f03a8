"""Scoring an assessment: points earned of those that apply, and the band they reach."""

from __future__ import annotations

import json
from dataclasses import dataclass

from inspection.checklists.models import ChecklistItem
from inspection.checklists.models import ChecklistVersion


@dataclass
class Score:
    """An assessment's result: points earned of those that apply, and the band."""

    earned: float
    possible: float
    band: str | None

    @property
    def percent(self) -> float | None:
        return round(self.earned / self.possible * 100, 1) if self.possible else None


def score(version: ChecklistVersion, items: list[ChecklistItem], results: dict[int, str]) -> Score:
    """Score answered items: not-applicable items leave the total; unanswered ones count as 0."""
    earned = possible = 0.0
    for item in items:
        if item.points is None:
            continue
        result = results.get(item.id)
        if result == "na":
            continue
        possible += item.points
        if result == "pass":
            earned += item.points
    band = None
    if version.scoring and possible:
        percent = earned / possible * 100
        for entry in sorted(json.loads(version.scoring)["bands"], key=lambda b: -b["min_percent"]):
            if percent >= entry["min_percent"]:
                band = entry["label"]
                break
    return Score(earned=earned, possible=possible, band=band)
