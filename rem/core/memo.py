"""Results kept in the app process: a few worked-out values found again by a key that
names everything they are made from (a data fingerprint among it), so that they are
never used stale.

Nothing is shared between processes and nothing needs to be: every process works a
value out once per state of the data. Bounded (least recently used go first) and safe
for threads. One store per name per app (``app.extensions``), so two apps in one process
(the tests) never see each other's values.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import current_app

T = TypeVar("T")


class ProcessMemo:
    """A bounded, thread-safe store of values by key, least recently used dropped first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: Hashable, make: Callable[[], T]) -> T:
        """Return the value kept under ``key``, or make it with ``make()`` and keep it.

        ``make`` runs outside the lock: two threads may both make a value for a new key
        (the same value, since the key names all it is made from); one is kept."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = make()
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._values)


def memo(name: str, size: int) -> ProcessMemo:
    """Return the app's store called ``name`` (made on first use, with room for ``size``)."""
    return current_app.extensions.setdefault(name, ProcessMemo(size))
