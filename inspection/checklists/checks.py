"""Checking a parsed checklist file in full: every problem with its line and what to do."""

from __future__ import annotations

from flask_babel import gettext as _

from inspection.checklists.fileformat import APPLIES_FIELDS
from inspection.checklists.fileformat import CODE
from inspection.checklists.fileformat import ITEM_FIELDS
from inspection.checklists.fileformat import ITEM_REQUIRED
from inspection.checklists.fileformat import KNOWN_FLAGS
from inspection.checklists.fileformat import KNOWN_INDUSTRIES
from inspection.checklists.fileformat import NOT_FOR_FIELDS
from inspection.checklists.fileformat import SCHEMA_VERSION
from inspection.checklists.fileformat import SECTION_FIELDS
from inspection.checklists.fileformat import SECTION_REQUIRED
from inspection.checklists.fileformat import TEMPLATE_FIELDS
from inspection.checklists.fileformat import TEMPLATE_REQUIRED
from inspection.checklists.fileformat import Problem
from inspection.checklists.fileformat import is_date
from inspection.checklists.models import AnswerType
from inspection.checklists.models import TemplateKind
from inspection.checklists.sources import check_item_sources
from inspection.checklists.sources import check_sources
from inspection.hazards.models import HazardCategory


class _Checker:
    """Collects problems while walking one file."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems: list[Problem] = []

    def add(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.filename, line, message))

    def line_of(self, mapping, key: str) -> int:
        return getattr(mapping, "key_lines", {}).get(key, getattr(mapping, "line", 1))

    def fields(self, mapping, allowed: set, required: tuple, where: str) -> bool:
        """Check a mapping's keys; False when it is not a mapping at all."""
        if not isinstance(mapping, dict):
            self.add(
                getattr(mapping, "line", 1),
                _(
                    "%(where)s must be a set of fields (name: value). Check the indentation.",
                    where=where,
                ),
            )
            return False
        for key, line in getattr(mapping, "duplicate_keys", []):
            self.add(
                line,
                _(
                    "The field “%(field)s” appears twice in %(where)s. Keep one.",
                    field=key,
                    where=where,
                ),
            )
        for key in mapping:
            if key not in allowed:
                self.add(
                    self.line_of(mapping, key),
                    _(
                        "Unknown field “%(field)s” in %(where)s. Remove it or correct the"
                        " spelling; allowed fields: %(allowed)s.",
                        field=key,
                        where=where,
                        allowed=", ".join(sorted(allowed)),
                    ),
                )
        for key in required:
            if key not in mapping or mapping[key] in (None, ""):
                self.add(
                    mapping.line,
                    self._missing(key, where),
                )
        return True

    def _missing(self, key: str, where: str) -> str:
        if key == "basis":
            return _(
                "%(where)s has no basis. Add `basis:` with the standard and clause it comes"
                " from, e.g. MEM Order No. 10, Article 11, item (3).",
                where=where,
            )
        return _("%(where)s has no “%(field)s”. Add it.", where=where, field=key)

    def text(self, mapping, key: str, where: str, limit: int) -> None:
        value = mapping.get(key)
        if value is None:
            return
        if not isinstance(value, str) or not value.strip():
            self.add(
                self.line_of(mapping, key),
                _("“%(field)s” in %(where)s must be text.", field=key, where=where),
            )
        elif len(value) > limit:
            self.add(
                self.line_of(mapping, key),
                _(
                    "“%(field)s” in %(where)s is longer than %(limit)s characters; shorten it.",
                    field=key,
                    where=where,
                    limit=limit,
                ),
            )

    def flag(self, mapping, key: str, where: str) -> None:
        if key in mapping and not isinstance(mapping[key], bool):
            self.add(
                self.line_of(mapping, key),
                _("“%(field)s” in %(where)s must be true or false.", field=key, where=where),
            )

    def applies_to(self, mapping, where: str) -> None:
        value = mapping.get("applies_to")
        if value is None:
            return
        if not self.fields(value, APPLIES_FIELDS, (), _("applies_to of %(where)s", where=where)):
            return
        self.names(value)
        if value.get("match", "any") not in ("any", "all"):
            self.add(self.line_of(value, "match"), _("“match” must be any or all."))

    def not_for(self, mapping) -> None:
        value = mapping.get("not_for")
        if value is None:
            return
        if not self.fields(value, NOT_FOR_FIELDS, ("reason",), _("not_for of the file")):
            return
        self.names(value)
        self.text(value, "reason", _("not_for of the file"), 500)
        if not value.get("industries") and not value.get("risk_flags"):
            self.add(
                value.line,
                _(
                    "not_for names no industry and no risk flag. Add `industries:` or"
                    " `risk_flags:`."
                ),
            )

    def names(self, value) -> None:
        """Industries and risk flags of an applies_to or not_for rule must be known ones."""
        for key, known, hint in (
            ("industries", KNOWN_INDUSTRIES, "、".join(sorted(KNOWN_INDUSTRIES))),
            ("risk_flags", KNOWN_FLAGS, ", ".join(sorted(KNOWN_FLAGS))),
        ):
            names = value.get(key, [])
            if not isinstance(names, list):
                self.add(
                    self.line_of(value, key),
                    _("“%(field)s” must be a list, e.g. [dust].", field=key),
                )
                continue
            for name in names:
                if name not in known:
                    self.add(
                        self.line_of(value, key),
                        _(
                            "Unknown %(field)s value “%(value)s”. Use one of: %(known)s.",
                            field=key,
                            value=name,
                            known=hint,
                        ),
                    )


def _where_item(code: object) -> str:
    return _("item %(code)s", code=code)


def check(data: object, filename: str) -> list[Problem]:
    """Every problem of a parsed checklist file."""
    checker = _Checker(filename)
    if not checker.fields(data, TEMPLATE_FIELDS, TEMPLATE_REQUIRED, _("The file")):
        return checker.problems
    if "schema" in data and data["schema"] != SCHEMA_VERSION:
        checker.add(
            checker.line_of(data, "schema"),
            _("Unknown schema %(value)s. This version reads schema 1.", value=data["schema"]),
        )
    code = data.get("code")
    if code is not None and (not isinstance(code, str) or not CODE.match(code)):
        checker.add(
            checker.line_of(data, "code"),
            _(
                "The code “%(code)s” may only have lowercase letters, digits and hyphens.",
                code=code,
            ),
        )
    for key, limit in (("title", 200), ("standard", 300), ("issuer", 100), ("description", 20000)):
        checker.text(data, key, _("the file"), limit)
    kind = data.get("kind")
    if kind is not None and kind not in set(TemplateKind):
        checker.add(
            checker.line_of(data, "kind"),
            _(
                "Unknown kind “%(value)s”. Use major_hazard_criteria, routine or assessment.",
                value=kind,
            ),
        )
    if "effective_date" in data and not is_date(data["effective_date"]):
        checker.add(
            checker.line_of(data, "effective_date"),
            _("effective_date must be a date written as YYYY-MM-DD."),
        )
    checker.applies_to(data, _("the file"))
    checker.not_for(data)
    checker.flag(data, "retired", _("the file"))
    sources = check_sources(checker, data)
    _check_scoring(checker, data, kind)
    sections = data.get("sections")
    if sections is not None and (not isinstance(sections, list) or not sections):
        checker.add(
            checker.line_of(data, "sections"),
            _("The file has no sections. Add at least one section with items."),
        )
        return checker.problems
    section_codes: dict[object, int] = {}
    item_codes: dict[object, int] = {}
    for index, section in enumerate(sections or []):
        line = sections.item_lines[index]
        where = _(
            "section %(code)s", code=section.get("code") if isinstance(section, dict) else index + 1
        )
        if not checker.fields(section, SECTION_FIELDS, SECTION_REQUIRED, where):
            continue
        _unique(
            checker,
            section,
            section_codes,
            line,
            _(
                "Section code %(code)s is used twice (first on line %(first)s). Give each"
                " section its own code."
            ),
        )
        checker.text(section, "title", where, 200)
        checker.applies_to(section, where)
        items = section.get("items")
        if "items" in section and (not isinstance(items, list) or not items):
            checker.add(
                checker.line_of(section, "items"),
                _("%(where)s is empty. Add items to it or remove the section.", where=where),
            )
            continue
        for item_index, item in enumerate(items or []):
            item_line = items.item_lines[item_index]
            _check_item(checker, item, item_line, kind, item_codes)
            if isinstance(item, dict):
                check_item_sources(checker, item, item_line, sources, "sources" in data)
    return checker.problems


def _unique(checker: _Checker, mapping, seen: dict, line: int, message: str) -> None:
    code = mapping.get("code")
    if code is None:
        return
    if not isinstance(code, str) or not CODE.match(code):
        checker.add(
            checker.line_of(mapping, "code"),
            _(
                "The code “%(code)s” may only have lowercase letters, digits and hyphens.",
                code=code,
            ),
        )
    if code in seen:
        checker.add(checker.line_of(mapping, "code"), message % {"code": code, "first": seen[code]})
    else:
        seen[code] = checker.line_of(mapping, "code")


def _check_item(checker: _Checker, item, line: int, kind, item_codes: dict) -> None:
    where = _where_item(item.get("code") if isinstance(item, dict) else f"#{line}")
    if not checker.fields(item, ITEM_FIELDS, ITEM_REQUIRED, where):
        return
    _unique(
        checker,
        item,
        item_codes,
        line,
        _(
            "Item code %(code)s is used twice (first on line %(first)s). Give each item its"
            " own code."
        ),
    )
    checker.text(item, "text", where, 5000)
    checker.text(item, "guidance", where, 5000)
    checker.text(item, "basis", where, 500)
    checker.text(item, "hazard_title", where, 200)
    for key in ("photo_on_fail", "major", "needs_verification"):
        checker.flag(item, key, where)
    answer = item.get("answer", AnswerType.PASS_FAIL)
    if answer not in set(AnswerType):
        checker.add(
            checker.line_of(item, "answer"),
            _(
                "Unknown answer type “%(value)s” in %(where)s. Use pass_fail, number,"
                " choice, text or photo.",
                value=answer,
                where=where,
            ),
        )
    if answer == AnswerType.NUMBER:
        number = item.get("number")
        if not isinstance(number, dict) or not ({"min", "max"} & set(number)):
            checker.add(
                checker.line_of(item, "number" if "number" in item else "answer"),
                _(
                    "%(where)s is answered with a number but has no limit. Add"
                    " `number: {min: …, max: …, unit: …}`.",
                    where=where,
                ),
            )
        else:
            for key in set(number) - {"min", "max", "unit"}:
                checker.add(
                    checker.line_of(number, key),
                    _(
                        "Unknown field “%(field)s” in the number limits of %(where)s;"
                        " use min, max and unit.",
                        field=key,
                        where=where,
                    ),
                )
            for key in ("min", "max"):
                if key in number and not isinstance(number[key], int | float):
                    checker.add(
                        checker.line_of(number, key),
                        _(
                            "The %(field)s limit of %(where)s must be a number.",
                            field=key,
                            where=where,
                        ),
                    )
    elif "number" in item:
        checker.add(
            checker.line_of(item, "number"),
            _(
                "%(where)s has number limits but is not answered with a number; set"
                " `answer: number` or remove the limits.",
                where=where,
            ),
        )
    if answer == AnswerType.CHOICE:
        choices = item.get("choices")
        if not isinstance(choices, list) or len(choices) < 2:
            checker.add(
                checker.line_of(item, "choices" if "choices" in item else "answer"),
                _("%(where)s is answered by a choice; list at least two `choices`.", where=where),
            )
        else:
            for value in item.get("fail_choices", []) or []:
                if value not in choices:
                    checker.add(
                        checker.line_of(item, "fail_choices"),
                        _(
                            "“%(value)s” in fail_choices of %(where)s is not one of its choices.",
                            value=value,
                            where=where,
                        ),
                    )
    elif "choices" in item or "fail_choices" in item:
        checker.add(
            checker.line_of(item, "choices" if "choices" in item else "fail_choices"),
            _(
                "%(where)s lists choices but is not answered by a choice; set"
                " `answer: choice` or remove them.",
                where=where,
            ),
        )
    category = item.get("category", "safety")
    if category not in set(HazardCategory):
        checker.add(
            checker.line_of(item, "category"),
            _(
                "Unknown category “%(value)s” in %(where)s. Use one of: %(known)s.",
                value=category,
                where=where,
                known=", ".join(HazardCategory),
            ),
        )
    days = item.get("deadline_days")
    if days is not None and (
        not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 3650
    ):
        checker.add(
            checker.line_of(item, "deadline_days"),
            _(
                "deadline_days of %(where)s must be a whole number of days from 1 to 3650.",
                where=where,
            ),
        )
    points = item.get("points")
    if kind == TemplateKind.ASSESSMENT and points is None:
        checker.add(
            line,
            _(
                "%(where)s has no points, but every item of an assessment scores. Add `points:`.",
                where=where,
            ),
        )
    if points is not None:
        if kind != TemplateKind.ASSESSMENT:
            checker.add(
                checker.line_of(item, "points"),
                _(
                    "%(where)s has points, but only assessment checklists score. Remove"
                    " them or set `kind: assessment`.",
                    where=where,
                ),
            )
        elif not isinstance(points, int | float) or isinstance(points, bool) or points < 0:
            checker.add(
                checker.line_of(item, "points"),
                _("The points of %(where)s must be a number, 0 or more.", where=where),
            )


def _check_scoring(checker: _Checker, data, kind) -> None:
    scoring = data.get("scoring")
    if kind == TemplateKind.ASSESSMENT and scoring is None:
        checker.add(data.line, _("An assessment needs `scoring:` with its result bands."))
        return
    if scoring is None:
        return
    if kind != TemplateKind.ASSESSMENT:
        checker.add(
            checker.line_of(data, "scoring"),
            _("Only assessment checklists have scoring; remove it or set `kind: assessment`."),
        )
        return
    bands = scoring.get("bands") if isinstance(scoring, dict) else None
    if not isinstance(bands, list) or not bands:
        checker.add(
            checker.line_of(data, "scoring"),
            _("scoring needs `bands:`, each with min_percent and label."),
        )
        return
    for index, band in enumerate(bands):
        line = bands.item_lines[index]
        if (
            not isinstance(band, dict)
            or set(band) != {"min_percent", "label"}
            or not isinstance(band.get("min_percent"), int | float)
            or not 0 <= band["min_percent"] <= 100
        ):
            checker.add(line, _("Each band needs min_percent (0 to 100) and label, nothing else."))
    numeric = all(
        isinstance(b, dict) and isinstance(b.get("min_percent"), int | float) for b in bands
    )
    if numeric and not any(b["min_percent"] == 0 for b in bands):
        checker.add(
            checker.line_of(data, "scoring"),
            _("One band must start at min_percent 0, so every result has a band."),
        )
