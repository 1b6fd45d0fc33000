"""Where a story thread can be placed: targets that other domains register.

The learning log, learning exchanges and borging reviews each register one target
when their blueprint is registered on the app (``register_target``), so this package
never imports them. A target says which ``ThreadPlacement`` column points to it, where
a person may place a thread, how a placement is named and linked, and whether a
placement is frozen (an adopted review keeps its threads).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, current_app

from rem.access import Access
from rem.threads.models import StoryThread


@dataclass(frozen=True)
class ThreadTarget:
    """One kind of place for threads."""

    kind: str  # the PlacementKind value, as in forms ("log_entry:12") and the audit trail
    # (target id, label) pairs of the places this person may put ``thread`` in
    choices: Callable[[Access, StoryThread], list[tuple[int, str]]]
    # the label and URL of one target, or None when it is gone
    describe: Callable[[int], tuple[str, str] | None]
    # whether a placement in this target may no longer be taken out
    frozen: Callable[[int], bool] = lambda _target_id: False


def register_target(bp: Blueprint, target: ThreadTarget) -> None:
    """Make ``target`` known to the app that registers ``bp`` (in registration order)."""
    bp.record_once(lambda state: state.app.extensions.setdefault(
        "rem_thread_targets", {}).__setitem__(target.kind, target))


def targets() -> dict[str, ThreadTarget]:
    """Return the registered targets of the running app, by kind."""
    return current_app.extensions.get("rem_thread_targets", {})
