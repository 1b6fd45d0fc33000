"""Exports for people and scripts: who gets what, file names, and the audit record."""

from __future__ import annotations

from datetime import date

from rem.access import Access
from rem.audit.services import record
from rem.collaborations.models import Collaboration
from rem.interchange.exports import FORMATS, WRITERS
from rem.interchange.scope import ExportScope, build_scope, must_pseudonymise


def split_names(text: str | None) -> list[str]:
    """Return the non-empty lines of a "names to replace" text."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def prepare_export(collaborations: list[Collaboration], access: Access, fmt: str, *,
                   pseudonymise: bool, extra_names: list[str] | None = None,
                   code_id: int | None = None) -> ExportScope:
    """Decide what the export holds and note in the audit trail who exported what."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    scope = build_scope(collaborations, access, pseudonymise=pseudonymise,
                        extra_names=extra_names, code_id=code_id)
    for collaboration in collaborations:
        record("export", "collaboration", collaboration.id, collaboration_id=collaboration.id,
               summary=f"{fmt}{' (pseudoniem)' if scope.pseudonymised else ''}",
               after={"format": fmt, "pseudonymised": scope.pseudonymised})
    return scope


def preview_replacements(collaborations: list[Collaboration], access: Access, *,
                         pseudonymise: bool, extra_names: list[str] | None = None
                         ) -> list[tuple[str, str, int]] | None:
    """Return what a pseudonymised export of ``collaborations`` would replace (as written,
    replaced by, how often), or None when it replaces nothing. Writes nothing: the export
    is made in memory (every text it holds passes the pseudonymiser) and thrown away."""
    scope = build_scope(collaborations, access, pseudonymise=pseudonymise,
                        extra_names=extra_names)
    if scope.pseudonymiser is None:
        return None
    for _chunk in WRITERS["json"](scope):
        pass
    return scope.pseudonymiser.replacements()


def export_filename(name: str, fmt: str, pseudonymised: bool) -> str:
    """Return a download name such as ``achterveld-2025-03-01-pseudoniem.zip``."""
    extension = FORMATS[fmt][0]
    kind = {"csv": "-tabellen", "ripplefx": "-ripplefx"}.get(fmt, "")
    suffix = "-pseudoniem" if pseudonymised else ""
    return f"{name}-{date.today().isoformat()}{kind}{suffix}.{extension}"


__all__ = ["export_filename", "must_pseudonymise", "prepare_export", "preview_replacements",
           "split_names"]
