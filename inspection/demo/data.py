"""The demo park's data, read from park.yaml beside this module."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

DATA_FILE = Path(__file__).with_name("park.yaml")
REGION_FILE = Path(__file__).with_name("region.yaml")
PASSWORD = "demo1234"


@functools.cache
def park_data() -> dict:
    """Everything park.yaml says: the park, zones, enterprises, hazards, people and plans."""
    return yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))


@functools.cache
def region_data() -> dict:
    """What region.yaml says: the region, its bureau staff and the two other parks."""
    return yaml.safe_load(REGION_FILE.read_text(encoding="utf-8"))


def hazard_pool(industry: str | None) -> list[dict]:
    """The hazards an inspector may find at an enterprise of this industry, in file order."""
    data = park_data()
    return [*data["hazards_by_industry"].get(industry, []), *data["general_hazards"]]


def logins_text() -> str:
    """The demo accounts, as printed by `make run` and listed in the README."""
    logins = [*park_data()["logins"], *region_data()["logins"]]
    lines = [f"  {username:<14} {note}" for username, note in logins]
    return f"Demo logins (password {PASSWORD} for all):\n" + "\n".join(lines)
