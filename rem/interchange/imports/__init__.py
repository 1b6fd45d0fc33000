"""Imports: rem JSON, RippleFX / Meta-REM CSV pairs, XMind maps and tables.

Each format module turns uploaded files into an ImportPlan; ``run_import`` (or an
``ImportRun``) checks the files, builds the plan, vets it (the preview stops there and
writes nothing) and writes it in batches. The caller commits or rolls back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from flask import current_app
from flask_babel import gettext as _

from rem.collaborations.models import Collaboration
from rem.extensions import db
from rem.interchange.imports import remjson, ripplefx, table, xmind
from rem.interchange.imports.base import (
    ImportOptions,
    ImportPlan,
    ImportRefused,
    ImportResult,
    Problem,
    UploadedFile,
    default_when,
)
from rem.interchange.imports.safety import DEFAULT_MAX_BYTES, check_size
from rem.interchange.imports.vetting import vet_plan
from rem.interchange.imports.writing import write_plan

FORMATS = ("json", "ripplefx", "xmind", "table")


def max_bytes() -> int:
    """Return the configured limit for one uploaded file."""
    return int(current_app.config.get("REM_MAX_IMPORT_BYTES", DEFAULT_MAX_BYTES))


def build_plan(files: list[UploadedFile], options: ImportOptions) -> ImportPlan:
    """Check the files and turn them into a plan, or raise ImportRefused."""

    limit = max_bytes()
    if not files:
        raise ImportRefused(_("Kies een bestand."))
    for f in files:
        check_size(f.data, limit, f.name)
    parsers = {"json": remjson.parse, "ripplefx": ripplefx.parse, "xmind": xmind.parse,
               "table": table.parse}
    if options.format not in parsers:
        raise ImportRefused(_("Onbekende soort bestand."))
    try:
        return parsers[options.format](files, options, limit)
    except RecursionError as exc:
        raise ImportRefused(_("Het bestand is te diep genest om in te lezen.")) from exc


class ImportRun:
    """One import of uploaded files into a collaboration: a preview that writes nothing,
    or the import itself in bounded batches with progress (the caller commits)."""

    def __init__(self, collaboration: Collaboration, files: list[UploadedFile],
                 options: ImportOptions):
        self.collaboration = collaboration
        self.files = files
        self.options = options
        self.result: ImportResult | None = None

    def _vet(self):
        try:
            plan = build_plan(self.files, self.options)
            fallback = default_when(self.options, self.collaboration.start_date)
        except ImportRefused as exc:
            self.result = ImportResult(format=self.options.format,
                                       problems=[Problem(str(exc), blocking=True)],
                                       mapping=self.options.mapping)
            return None
        vetted = vet_plan(self.collaboration, plan, fallback, self.options.format)
        self.result = vetted.result
        return vetted

    def preview(self) -> ImportResult:
        """Read the files and say what an import would do, writing nothing."""
        self._vet()
        return self.result

    def steps(self) -> Iterator[tuple[int, int]]:
        """Import: yield (done, total) after each batch; ``result`` says what was done.
        On any blocking problem the session is rolled back (nothing is written)."""
        vetted = self._vet()
        if vetted is not None and self.result.ok:
            yield from write_plan(self.collaboration, vetted)
            self.result = vetted.result
        if not self.result.ok:
            db.session.rollback()


def run_import(collaboration: Collaboration, files: list[UploadedFile], options: ImportOptions,
               *, commit: bool, progress: Callable[[int, int], None] | None = None
               ) -> ImportResult:
    """Preview (``commit`` False: nothing is written) or import the files.

    An import writes inside the session and leaves the commit to the caller, who commits
    when ``result.ok`` (it rolled back otherwise). ``progress(done, total)`` is called
    after each batch.
    """
    run = ImportRun(collaboration, files, options)
    if not commit:
        return run.preview()
    for done, total in run.steps():
        if progress is not None:
            progress(done, total)
    return run.result


__all__ = ["FORMATS", "ImportOptions", "ImportPlan", "ImportRefused", "ImportResult",
           "ImportRun", "UploadedFile", "build_plan", "run_import"]
