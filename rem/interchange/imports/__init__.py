"""Imports: rem JSON, RippleFX / Meta-REM CSV pairs, XMind maps and tables.

Each format module turns uploaded files into an ImportPlan; ``run_import`` checks
the files, builds the plan and applies it. The caller commits or rolls back.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from rem.collaborations.models import Collaboration
from rem.extensions import db
from rem.interchange.imports import remjson, ripplefx, table, xmind
from rem.interchange.imports.apply import apply_plan
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


def run_import(collaboration: Collaboration, files: list[UploadedFile], options: ImportOptions,
               *, commit: bool) -> ImportResult:
    """Build the plan and apply it inside the session. Nothing is committed here.

    With ``commit`` False the caller rolls back (a preview); with True it commits
    when ``result.ok`` and rolls back otherwise.
    """
    try:
        plan = build_plan(files, options)
        fallback = default_when(options, collaboration.start_date)
    except ImportRefused as exc:
        return ImportResult(format=options.format, problems=[Problem(str(exc), blocking=True)],
                            mapping=options.mapping)

    result = apply_plan(collaboration, plan, fallback, options.format)
    if not result.ok:
        db.session.rollback()
    return result


__all__ = ["FORMATS", "ImportOptions", "ImportPlan", "ImportRefused", "ImportResult",
           "UploadedFile", "build_plan", "run_import"]
