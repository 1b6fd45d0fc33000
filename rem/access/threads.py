"""Who may read, make and change story threads.

A thread is seen by everyone who reads all of its collaboration; placed in a log entry
it is seen by whoever sees that entry, placed in an exchange pack by everyone who sees
the exchange, but always only the steps whose item that person may see
(``rem.threads.services.resolve``). Everyone who writes in the collaboration's learning
log makes threads; the author, the facilitators and coordinators change and delete them.
"""

from __future__ import annotations

from rem.access import Access
from rem.collaborations.models import Collaboration
from rem.threads.models import StoryThread


def may_read(access: Access, thread: StoryThread) -> bool:
    """Tell whether this person sees the thread on its own page."""
    return access.user_id is not None and access.reads_all_of(thread.collaboration)


def may_write(access: Access, collaboration: Collaboration) -> bool:
    """Tell whether this person may make threads in ``collaboration``."""
    return access.user_id is not None and access.reads_all_of(collaboration)


def may_edit(access: Access, thread: StoryThread) -> bool:
    """Tell whether this person may change, place or delete the thread."""
    if access.edits(thread.collaboration):
        return True
    return (access.user_id is not None and thread.author_id == access.user_id
            and access.reads_all_of(thread.collaboration))
