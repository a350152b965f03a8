"""Reading checklist files: YAML with line numbers, checked in full before anything is imported.

Every problem is reported as `file:line: what is wrong. What to do.` and a file with any problem
imports nothing. The format is documented in checklists/README.md; the vocabulary is in
`fileformat` and the checks in `checks`."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml
from flask_babel import gettext as _

from inspection.checklists.checks import check
from inspection.checklists.fileformat import InvalidChecklist
from inspection.checklists.fileformat import Problem
from inspection.checklists.models import AnswerType


class _Mapping(dict):
    """A YAML mapping that remembers its own line and the line of each key (1-based)."""

    line = 0
    key_lines: dict


class _Sequence(list):
    """A YAML sequence that remembers its line and the line of each entry."""

    line = 0
    item_lines: list


class _LineLoader(yaml.SafeLoader):
    """SafeLoader keeping line numbers; dates stay text so the file decides what they mean."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Mapping:
    loader.flatten_mapping(node)
    mapping = _Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    duplicates = []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            duplicates.append((key, key_node.start_mark.line + 1))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    mapping.duplicate_keys = duplicates
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> _Sequence:
    sequence = _Sequence(loader.construct_object(child, deep=True) for child in node.value)
    sequence.line = node.start_mark.line + 1
    sequence.item_lines = [child.start_mark.line + 1 for child in node.value]
    return sequence


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


_LineLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def parse(text: str, filename: str) -> dict:
    """Parse and check one file's text; raise InvalidChecklist with every problem."""
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise InvalidChecklist(
            [
                Problem(
                    filename,
                    line,
                    _(
                        "The YAML cannot be read: %(problem)s. Check the indentation and"
                        " quoting on this line.",
                        problem=error.problem or error,
                    ),
                )
            ]
        ) from error
    except yaml.YAMLError as error:
        raise InvalidChecklist(
            [Problem(filename, 1, _("The YAML cannot be read: %(problem)s.", problem=error))]
        ) from error
    problems = check(data, filename)
    if problems:
        raise InvalidChecklist(problems)
    return normalise(data)


def parse_file(path: Path) -> dict:
    """Parse and check one checklist file."""
    return parse(path.read_text(encoding="utf-8"), path.name)


def normalise(data: dict) -> dict:
    """Plain values with every default spelled out, ready to store or compare."""

    def applies(value) -> dict:
        if not value:
            return {}
        return {
            "industries": list(value.get("industries", [])),
            "risk_flags": list(value.get("risk_flags", [])),
            "match": value.get("match", "any"),
        }

    return {
        "code": data["code"],
        "title": data["title"].strip(),
        "standard": data["standard"].strip(),
        "issuer": (data.get("issuer") or "").strip() or None,
        "effective_date": str(data["effective_date"]) if data.get("effective_date") else None,
        "kind": data["kind"],
        "description": (data.get("description") or "").strip() or None,
        "applies_to": applies(data.get("applies_to")),
        "scoring": {
            "bands": [
                {"min_percent": float(b["min_percent"]), "label": b["label"]}
                for b in data["scoring"]["bands"]
            ]
        }
        if data.get("scoring")
        else None,
        "sources": [
            {
                "id": source["id"],
                "title": source["title"].strip(),
                "kind": source["kind"],
                "checked": str(source["checked"]) if source.get("checked") else None,
                "note": (source.get("note") or "").strip() or None,
            }
            for source in data.get("sources") or []
        ],
        "retired": data.get("retired", False),
        "not_for": {
            "industries": list(data["not_for"].get("industries", [])),
            "risk_flags": list(data["not_for"].get("risk_flags", [])),
            "reason": data["not_for"]["reason"].strip(),
        }
        if data.get("not_for")
        else {},
        "sections": [
            {
                "code": section["code"],
                "title": section["title"].strip(),
                "applies_to": applies(section.get("applies_to")),
                "items": [_normalise_item(item) for item in section["items"]],
            }
            for section in data["sections"]
        ],
    }


def _normalise_item(item: dict) -> dict:
    number = item.get("number") or {}
    return {
        "code": item["code"],
        "text": " ".join(item["text"].split()),
        "guidance": (item.get("guidance") or "").strip() or None,
        "basis": item["basis"].strip(),
        "answer": item.get("answer", AnswerType.PASS_FAIL),
        "number_min": _float(number.get("min")),
        "number_max": _float(number.get("max")),
        "number_unit": number.get("unit"),
        "choices": list(item.get("choices") or []),
        "fail_choices": list(item.get("fail_choices") or []),
        "photo_on_fail": item.get("photo_on_fail", True),
        "major": item.get("major", False),
        "category": item.get("category", "safety"),
        "hazard_title": (item.get("hazard_title") or "").strip() or None,
        "deadline_days": item.get("deadline_days"),
        "points": _float(item.get("points")),
        "needs_verification": item.get("needs_verification", False),
        "sources": [item["source"]]
        if isinstance(item.get("source"), str)
        else list(item.get("source") or []),
    }


def _float(value: object) -> float | None:
    """Numbers compare the same whether written 4 or 4.0."""
    return None if value is None else float(value)


def content_hash(definition: dict) -> str:
    """A hash of a normalised definition: the same content gives the same hash."""
    text = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
