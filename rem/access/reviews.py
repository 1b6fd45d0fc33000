"""Who may read and change a collaboration's borging reviews.

Everyone who reads all of a collaboration reads its reviews; those who edit its ripple
log open, fill in, adopt and re-version them. Researchers and people elsewhere in the
network see no reviews: a review is the collaboration's own account, and its evidence
includes private items.
"""

from __future__ import annotations

from rem.access import Access
from rem.collaborations.models import Collaboration


def may_read(access: Access, collaboration: Collaboration) -> bool:
    """Tell whether the reviews of ``collaboration`` may be read."""
    return access.reads_all_of(collaboration)


def may_edit(access: Access, collaboration: Collaboration) -> bool:
    """Tell whether reviews of ``collaboration`` may be opened, changed and adopted."""
    return access.edits(collaboration)
