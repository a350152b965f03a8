"""The demo park's data, read from park.yaml beside this module."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

DATA_FILE = Path(__file__).with_name("park.yaml")
PASSWORD = "demo1234"


@functools.cache
def park_data() -> dict:
    """Everything park.yaml says: the park, zones, enterprises, hazards, people and plans."""
    return yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))


def hazard_pool(industry: str | None) -> list[dict]:
    """The hazards an inspector may find at an enterprise of this industry, in file order."""
    data = park_data()
    return [*data["hazards_by_industry"].get(industry, []), *data["general_hazards"]]


def logins_text() -> str:
    """The demo accounts, as printed by `make run` and listed in the README."""
    lines = [f"  {username:<11} {note}" for username, note in park_data()["logins"]]
    return f"Demo logins (password {PASSWORD} for all):\n" + "\n".join(lines)
