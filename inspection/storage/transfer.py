"""Moving files from a local folder into the configured storage, and checking what is stored
against the database: every copy is read back and its SHA-256 compared; every original is
checked against the hash it is named by; every file the database names must be there."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass

from sqlmodel import Session
from sqlmodel import select

from inspection.storage.base import NotStored
from inspection.storage.base import Storage
from inspection.storage.content import content_key

ORIGINAL = re.compile(r"^originals/[0-9a-f]{2}/([0-9a-f]{64})$")
# Before pieces were kept one object each, a photo still arriving was one file partial/<uuid>.
OLD_PARTIAL = re.compile(r"^partial/([0-9a-f-]{36})$")


@dataclass(frozen=True)
class Moved:
    """One file copied (or found already there): its key, size, hash and what became of it."""

    key: str
    size: int
    sha256: str
    outcome: str  # "copied", "already there", "damaged in transit"


def target_key(key: str) -> str:
    """Where a file of the folder goes in the storage (the same key, but for old pieces)."""
    match = OLD_PARTIAL.match(key)
    return f"partial/{match.group(1)}/{0:012d}" if match else key


def migrate(source: Storage, target: Storage, *, delete: bool = False) -> Iterator[Moved]:
    """Copy every file of `source` to `target`, read each back and compare hashes; with
    `delete`, remove each source file once its copy is proven sound."""
    for stored in list(source.list()):
        data = source.get(stored.key)
        sha256 = hashlib.sha256(data).hexdigest()
        key = target_key(stored.key)
        outcome = "copied"
        try:
            if hashlib.sha256(target.get(key)).hexdigest() == sha256:
                outcome = "already there"
        except NotStored:
            pass
        if outcome == "copied":
            target.put(key, data)
            if hashlib.sha256(target.get(key)).hexdigest() != sha256:
                outcome = "damaged in transit"
        if delete and outcome != "damaged in transit":
            source.delete(stored.key)
        yield Moved(key, len(data), sha256, outcome)


@dataclass(frozen=True)
class Problem:
    """A stored file that is missing or not what it should be, named."""

    key: str
    what: str


def verify(
    session: Session, backend: Storage, *, progress: Callable[[str], None] = lambda key: None
) -> tuple[int, list[Problem]]:
    """Check every original's content against its name and that every file the database
    names is stored; return how many objects were read and the problems found."""
    problems: list[Problem] = []
    read = 0
    for stored in backend.list("originals/"):
        match = ORIGINAL.match(stored.key)
        if match is None:
            continue
        progress(stored.key)
        read += 1
        actual = hashlib.sha256(backend.get(stored.key)).hexdigest()
        if actual != match.group(1):
            problems.append(Problem(stored.key, f"corrupted: its content hashes to {actual}"))
    for key, owner in _named_by_database(session):
        if not backend.exists(key):
            problems.append(Problem(key, f"missing ({owner})"))
    return read, problems


def _named_by_database(session: Session) -> Iterator[tuple[str, str]]:
    # Across every park: this is the operator's check of the whole deployment.
    from inspection.evidence.models import Document
    from inspection.evidence.models import Photo
    from inspection.inspections.models import Signature
    from inspection.reports.models import JobStatus
    from inspection.reports.models import ReportJob

    for photo_id, sha256 in session.exec(select(Photo.id, Photo.sha256).order_by(Photo.id)):
        for variant in ("original", "display", "thumb"):
            yield content_key(sha256, variant), f"photo {photo_id}, {variant}"
    for document_id, sha256 in session.exec(
        select(Document.id, Document.sha256).order_by(Document.id)
    ):
        yield content_key(sha256), f"document {document_id}"
    for signature_id, sha256 in session.exec(
        select(Signature.id, Signature.sha256).order_by(Signature.id)
    ):
        yield content_key(sha256), f"signature {signature_id}"
    for job_id, name in session.exec(
        select(ReportJob.id, ReportJob.file_name)
        .where(ReportJob.status == JobStatus.DONE, ReportJob.file_name.is_not(None))
        .order_by(ReportJob.id)
    ):
        yield f"reports/{name}", f"report {job_id}"
