"""Pagination for long lists, tolerant of nonsense page numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlmodel import Session
from sqlmodel import func
from sqlmodel import select


@dataclass
class Page:
    """One page of a list."""

    items: list[Any]
    total: int
    page: int
    per_page: int
    # The list has more than `total` rows (counting stopped there).
    capped: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def total_text(self) -> str:
        """The count as shown: "1000+" when counting stopped there."""
        return f"{self.total}+" if self.capped else str(self.total)

    @property
    def pages_text(self) -> str:
        return f"{self.pages}+" if self.capped else str(self.pages)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        # A capped count means there are rows beyond the last counted page (down to DEEPEST).
        return self.page < self.pages or (self.capped and self.page * self.per_page < DEEPEST)


def parse_page(raw: str | None) -> int:
    """A page number from the query string; anything unusable means page 1."""
    try:
        page = int(raw or 1)
    except ValueError:
        return 1
    return page if page >= 1 else 1


def paginate(
    session: Session,
    stmt: Select,
    *,
    page: int,
    per_page: int,
    count_limit: int | None = None,
    counted: Select | None = None,
    key=None,
) -> Page:
    """Run `stmt` for one page; a page past the end shows the last page.

    With `count_limit`, counting stops there, or at the page asked for if that is further: a
    long list says "1000+" and offers the next page rather than scanning every matching row.
    `counted` is a cheaper statement matching the same rows, if there is one (no joins for
    display).

    With `key` (a unique column of the listed rows), `counted` selects that column in the
    list's order, and one query gives both the count and the page's keys; the page is then
    read by key. Worth it where the matching keys come from an index alone (the hazards not
    yet closed, say) and the list's own join would be planned poorly."""
    # Deep pages (beyond the counting limit) are rare: counted as usual rather than by
    # fetching every key before them.
    if key is not None and count_limit is not None and page * per_page <= count_limit:
        return _paginate_by_key(
            session, stmt, counted, key, page=page, per_page=per_page, count_limit=count_limit
        )
    counted = (stmt if counted is None else counted).order_by(None)
    limit = None
    if count_limit is not None:
        limit = min(max(count_limit, page * per_page), DEEPEST)
        counted = counted.limit(limit + 1)
    total = session.exec(select(func.count()).select_from(counted.subquery())).one()
    capped = limit is not None and total > limit
    if capped:
        total = limit
    pages = max(1, -(-total // per_page))
    page = min(page, pages)
    items = list(session.exec(stmt.limit(per_page).offset((page - 1) * per_page)).all())
    return Page(items=items, total=total, page=page, per_page=per_page, capped=capped)


def _paginate_by_key(session, stmt, counted, key, *, page, per_page, count_limit) -> Page:
    keys = list(session.exec(counted.limit(count_limit + 1)).all())
    capped = len(keys) > count_limit
    total = min(len(keys), count_limit)
    pages = max(1, -(-total // per_page))
    page = min(page, pages)
    wanted = keys[(page - 1) * per_page : page * per_page]
    items = list(session.exec(stmt.where(key.in_(wanted))).all()) if wanted else []
    return Page(items=items, total=total, page=page, per_page=per_page, capped=capped)


# Nobody pages this deep (5,000 pages of 20); a page number beyond counts this far at most.
DEEPEST = 100_000
