"""The render cache: rendered maps on disk, named by their content, and downloads found
again by what they are made of (without building the map).

Files live in ``REM_MAP_CACHE_DIR`` (default instance/map-cache); past CACHE_MAX_FILES
the least recently used go. Writes are atomic, errors only logged: a cache that cannot
be written costs speed, never an answer.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from flask_babel import get_locale

from rem.access import Access
from rem.collaborations.models import Collaboration
from rem.extensions import db
from rem.maps import renderer
from rem.ripples.fingerprints import log_fingerprint
from rem.themes.models import Theme, theme_items

log = logging.getLogger(__name__)

CACHE_MAX_FILES = 500
CACHE_KEEP_FILES = 400
# Bump when the renderer's output changes for the same DOT (another Graphviz, say).
RENDER_CACHE_VERSION = "2"


def cache_key(dot_source: str, engine: str, fmt: str) -> str:
    """Return the sha256 content key of one render."""
    digest = hashlib.sha256()
    for part in (RENDER_CACHE_VERSION, engine, fmt):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(dot_source.encode("utf-8"))
    return digest.hexdigest()


def cache_dir() -> Path:
    """Return the folder of rendered maps: ``REM_MAP_CACHE_DIR`` or instance/map-cache."""
    configured = current_app.config.get("REM_MAP_CACHE_DIR")
    return Path(configured or os.path.join(current_app.instance_path, "map-cache"))


def _prune(directory: Path) -> None:
    """Keep the cache small: past the maximum, remove the least recently used files."""
    try:
        # Counting the names is cheap; looking at each file only when there are too many.
        if len(os.listdir(directory)) <= CACHE_MAX_FILES:
            return
        files = [entry for entry in os.scandir(directory)
                 if entry.is_file() and not entry.name.startswith(".")]
        if len(files) <= CACHE_MAX_FILES:
            return
        files.sort(key=lambda entry: entry.stat().st_mtime)
        for entry in files[: len(files) - CACHE_KEEP_FILES]:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
    except OSError:
        log.warning("could not prune the map cache in %s", directory, exc_info=True)


@functools.cache
def _code_version() -> str:
    """Return a digest of the app's code and catalogues: a new release draws maps anew."""
    digest = hashlib.sha256(RENDER_CACHE_VERSION.encode())
    root = Path(__file__).resolve().parent.parent
    for path in sorted([*root.rglob("*.py"), *root.rglob("*.po")]):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def theme_fingerprint(collaboration: Collaboration) -> tuple:
    """Return aggregates that change whenever the collaboration's themes or their effects
    change (names, bin, membership): a theme is drawn, so it is part of the picture."""
    themes = db.session.execute(
        sa.select(sa.func.count(Theme.id), sa.func.sum(Theme.version),
                  sa.func.max(Theme.updated_at),
                  sa.func.count(Theme.deleted_at))
        .where(Theme.collaboration_id == collaboration.id)).one()
    members = db.session.execute(
        sa.select(sa.func.count(), sa.func.sum(theme_items.c.item_id * 7919
                                               + theme_items.c.theme_id))
        .select_from(theme_items).join(Theme, Theme.id == theme_items.c.theme_id)
        .where(Theme.collaboration_id == collaboration.id)).one()
    return (*[str(value) for value in themes], *[str(value) for value in members])


def download_alias(collaboration: Collaboration, access: Access, what: str, fmt: str) -> str:
    """Return a key for a map download that is found without building the map.

    The render cache is keyed by content (the DOT text), which costs a load of the log and
    a build of the map to know: 85 ms for 1,000 items. This alias is a digest of what the
    map is made from: the log's fingerprint (its stamp, see
    ``ripples.fingerprints.log_fingerprint``) and its themes', ``what`` (the canonical
    filters, options, paper and width), the format, the language, the person's access to
    the collaboration, the address links point to, and the app's code. Any change to the
    data changes the fingerprint, so a stored download is never served stale.
    """
    fingerprint = log_fingerprint(collaboration, access.item_clause(collaboration))
    digest = hashlib.sha256()
    for part in (_code_version(), repr(fingerprint), repr(theme_fingerprint(collaboration)),
                 what, fmt, str(get_locale()), repr(access.visible_levels(collaboration)),
                 current_app.config.get("SERVER_NAME") or "", _host()):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()


def _host() -> str:
    """Return the host the request came to: downloaded SVGs link back to it."""
    return request.host_url if has_request_context() else ""


def _download_path(alias: str, fmt: str, directory: Path | None = None) -> Path:
    return (directory or cache_dir()) / f"download-{alias}.{fmt}"


def cached_download(alias: str, fmt: str) -> bytes | None:
    """Return the stored download for ``alias``, or None."""
    path = _download_path(alias, fmt)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    with contextlib.suppress(OSError):
        os.utime(path)
    return data or None


def store_download(alias: str, fmt: str, data: bytes) -> None:
    """Keep ``data`` as the download for ``alias`` (written atomically; errors are logged)."""
    directory = cache_dir()
    _write_atomically(directory, _download_path(alias, fmt, directory), data, fmt)
    _prune(directory)


def _write_atomically(directory: Path, path: Path, data: bytes, fmt: str) -> None:
    tmp = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=f".{fmt}")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
        tmp = None
    except OSError:
        log.warning("could not write the map cache in %s", directory, exc_info=True)
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _suffix(fmt: str) -> str:
    """Return the file name ending of a render in ``fmt`` ("svg:cairo" -> "cairo.svg")."""
    kind, _colon, renderer_name = fmt.partition(":")
    return f"{renderer_name}.{kind}" if renderer_name else kind


# Bump when rem.maps.svg.slim_svg writes something else for the same render.
SLIM_VERSION = "1"


def slim_cached(dot_source: str, engine: str, timeout: float,
                directory: Path | None = None) -> bytes:
    """Return the SVG render of ``dot_source`` slimmed for a page
    (:func:`rem.maps.renderer.slim_svg`), kept beside the render: slimming a large map
    costs more CPU than reading the file."""
    directory = directory or cache_dir()
    path = directory / f"{cache_key(dot_source, engine, 'svg-slim-' + SLIM_VERSION)}.svg"
    return _kept(directory, path, "svg", lambda: renderer.slim_svg(
        render_cached(dot_source, engine, "svg", timeout, directory).decode("utf-8")
    ).encode("utf-8"))


def _kept(directory: Path, path: Path, suffix: str, make: Callable[[], bytes]) -> bytes:
    """Return the file at ``path`` (marked as used), or make it, keep it and return it."""
    try:
        data = path.read_bytes()
    except OSError:
        data = b""
    if data:
        with contextlib.suppress(OSError):
            os.utime(path)
        return data
    data = make()
    _write_atomically(directory, path, data, suffix)
    _prune(directory)
    return data


def render_cached(dot_source: str, engine: str, fmt: str, timeout: float,
                  directory: Path | None = None) -> bytes:
    """Return the render of ``dot_source``, from the file cache when it is there."""
    if fmt == "dot":
        return renderer.render(dot_source, engine, fmt, timeout)
    directory = directory or cache_dir()
    path = directory / f"{cache_key(dot_source, engine, fmt)}.{_suffix(fmt)}"
    return _kept(directory, path, _suffix(fmt),
                 lambda: renderer.render(dot_source, engine, fmt, timeout))
