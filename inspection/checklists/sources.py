"""The sources a checklist file was checked against, and the source each item names.

An item may be marked as checked only against the official text or a full reprint of it.
"""

from __future__ import annotations

from flask_babel import gettext as _

from inspection.checklists.fileformat import CODE
from inspection.checklists.fileformat import SOURCE_FIELDS
from inspection.checklists.fileformat import SOURCE_KINDS
from inspection.checklists.fileformat import SOURCE_REQUIRED
from inspection.checklists.fileformat import WORDING_SOURCES
from inspection.checklists.fileformat import is_date


def check_sources(checker, data) -> dict[str, str]:
    """Check the file's sources (checker: the `checks` walker); their ids and kinds."""
    value = data.get("sources")
    if value is None:
        return {}
    if not isinstance(value, list) or not value:
        checker.add(
            checker.line_of(data, "sources"),
            _("`sources:` must list at least one source, each with id, title and kind."),
        )
        return {}
    kinds: dict[str, str] = {}
    for index, source in enumerate(value):
        line = value.item_lines[index]
        where = _("source %(number)s", number=index + 1)
        if not checker.fields(source, SOURCE_FIELDS, SOURCE_REQUIRED, where):
            continue
        ident = source.get("id")
        if ident is not None and (not isinstance(ident, str) or not CODE.match(ident)):
            checker.add(
                checker.line_of(source, "id"),
                _(
                    "The source id “%(id)s” may only have lowercase letters, digits and hyphens.",
                    id=ident,
                ),
            )
            continue
        if ident in kinds:
            checker.add(
                line,
                _("The source id %(id)s is used twice. Give each source its own id.", id=ident),
            )
        for key, limit in (("title", 300), ("note", 2000)):
            checker.text(source, key, where, limit)
        kind = source.get("kind")
        if kind is not None and kind not in SOURCE_KINDS:
            checker.add(
                checker.line_of(source, "kind"),
                _(
                    "Unknown source kind “%(value)s”. Use official (the official publication),"
                    " reprint (a full reprint of the official text) or summary.",
                    value=kind,
                ),
            )
        if "checked" in source and not is_date(source["checked"]):
            checker.add(
                checker.line_of(source, "checked"),
                _("“checked” of a source must be the date written as YYYY-MM-DD."),
            )
        if ident is not None:
            kinds[ident] = kind
    return kinds


def check_item_sources(checker, item, line: int, sources: dict[str, str], declared: bool) -> None:
    """An item names the sources it was checked against; a checked item needs the real text."""
    where = _("item %(code)s", code=item.get("code"))
    named = item.get("source")
    if isinstance(named, str):
        named = [named]
    if named is None:
        named = []
    if not isinstance(named, list) or not all(isinstance(n, str) for n in named):
        checker.add(
            checker.line_of(item, "source"),
            _("“source” of %(where)s must be a source id or a list of them.", where=where),
        )
        return
    for ident in named:
        if ident not in sources:
            checker.add(
                checker.line_of(item, "source"),
                _(
                    "%(where)s names the source “%(id)s”, which the file's `sources:` does not"
                    " list. Add it there or correct the id (known: %(known)s).",
                    where=where,
                    id=ident,
                    known=", ".join(sources) or "—",
                ),
            )
    if declared and not named:
        checker.add(
            line,
            _(
                "%(where)s names no source. Add `source:` with the id of the source it was"
                " checked against (one of: %(known)s).",
                where=where,
                known=", ".join(sources) or "—",
            ),
        )
    if not declared or item.get("needs_verification") is True:
        return
    if not any(sources.get(ident) in WORDING_SOURCES for ident in named):
        checker.add(
            checker.line_of(item, "source") if named else line,
            _(
                "%(where)s is marked as checked, but none of its sources is the official text"
                " or a full reprint of it. Name such a source in `source:`, or set"
                " `needs_verification: true`.",
                where=where,
            ),
        )
