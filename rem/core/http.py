"""Small HTTP helpers shared by every blueprint."""

from __future__ import annotations

from urllib.parse import urlsplit


def is_safe_next(target: str | None) -> bool:
    """Accept only relative paths on this site as a place to go after sign-in."""
    if not target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") \
        and not target.startswith("//") and "\\" not in target
