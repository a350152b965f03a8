"""A checked checklist file as plain values with every default spelled out, and its hash."""

from __future__ import annotations

import hashlib
import json

from inspection.checklists.models import AnswerType


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
