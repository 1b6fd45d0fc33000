"""Keep an uploaded import between its preview and the real import.

Files go to ``<instance>/imports/<token>/`` with the chosen options; only the
person who uploaded them can use the token, for at most two hours. Nothing from
the upload enters the database before the person confirms.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from werkzeug.datastructures import FileStorage

from rem.audit.services import actor_id
from rem.interchange.imports.base import ImportOptions, ImportRefused, UploadedFile
from rem.interchange.imports.safety import DEFAULT_MAX_BYTES, check_size

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
LIFETIME = 2 * 60 * 60


@dataclass
class StoredUpload:
    """An upload waiting for confirmation."""

    token: str
    files: list[UploadedFile]
    options: ImportOptions


def _instance_root() -> Path:
    from flask import current_app

    return Path(current_app.config.get("REM_IMPORT_DIR") or
                Path(current_app.instance_path) / "imports")


def _clean_old(root: Path) -> None:
    now = time.time()
    for folder in root.glob("*"):
        try:
            if folder.is_dir() and now - folder.stat().st_mtime > LIFETIME:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def store(files: list[FileStorage], options: ImportOptions, config) -> StoredUpload:
    """Read the uploads (refusing over-size files) and keep them for the preview."""
    limit = int(config.get("REM_MAX_IMPORT_BYTES", DEFAULT_MAX_BYTES))
    uploads = []
    for storage in files:
        data = storage.stream.read(limit + 1)
        name = Path(storage.filename or "bestand").name[:120]
        check_size(data, limit, name)
        uploads.append(UploadedFile(name, data))
    root = _instance_root()
    root.mkdir(parents=True, exist_ok=True)
    _clean_old(root)
    token = secrets.token_urlsafe(24)
    folder = root / token
    folder.mkdir()
    for n, upload in enumerate(uploads):
        (folder / f"{n}.bin").write_bytes(upload.data)
    stored = StoredUpload(token, uploads, options)
    meta = {"owner": actor_id(), "names": [u.name for u in uploads],
            "options": asdict(options)}
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return stored


def load(token: str, config) -> StoredUpload | None:
    """Return the stored upload if it exists, is fresh and belongs to this person."""
    if not TOKEN_RE.match(token or ""):
        return None
    folder = _instance_root() / token
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if time.time() - folder.stat().st_mtime > LIFETIME or meta.get("owner") != actor_id():
            return None
        files = [UploadedFile(name, (folder / f"{n}.bin").read_bytes())
                 for n, name in enumerate(meta["names"])]
    except (OSError, ValueError, KeyError):
        return None
    return StoredUpload(token, files, ImportOptions(**meta["options"]))


def save_options(stored: StoredUpload, config) -> None:
    """Remember changed options (the column mapping) for the next step."""
    folder = _instance_root() / stored.token
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    meta["options"] = asdict(stored.options)
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def discard(stored: StoredUpload, config) -> None:
    """Remove the upload after the import."""
    shutil.rmtree(_instance_root() / stored.token, ignore_errors=True)


__all__ = ["ImportRefused", "StoredUpload", "discard", "load", "save_options", "store"]
