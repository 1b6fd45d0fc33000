"""How alike two texts are in what they are about: the one measure behind the inbox's
duplicate suggestions (a story against the effects already on the map, and against the
other new stories).

Word overlap weighted by rarity: both texts become sets of stems (lower case, accents
kept apart by rapidfuzz's normalisation, Dutch stop words out, Snowball's Dutch stemmer so
"vrijwilligers" meets "vrijwilliger"); a stem weighs by how rare it is in the texts at hand
(inverse document frequency), so sharing "taskforce" or "plaats" with one effect counts for
little when many texts have it, and sharing "InBegrepen" and "regioplan" counts for a lot.
The score is the weighted cosine of the two sets: shared weight over the geometric mean
of both weights, 0-100.

The threshold was chosen on the labelled pairs in tests/data/duplicate_pairs.csv
(tests/test_duplicate_suggestions.py prints precision and recall). ``nearly_equal`` in
workshops.services answers another question, "the same participant typed the same text
twice", and stays a character measure on purpose: there every word, common or rare, is
the same.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Iterable

import snowballstemmer
from rapidfuzz import utils

# Small words that say nothing about what a story is about.
_STOPWORD_TEXT = (
    "de het een en van in op te dat die dit is was er voor met aan om ook als bij naar nu "
    "meer zijn we wij ik je jij hij zij ze niet maar dan of door uit over tot nog wel al zo "
    "hun heeft hebben had hadden wordt worden werd ons onze mijn zich kan kunnen "
    "veel heel echt gaan gaat ging elkaar mensen zelf samen weer toen nieuwe nieuw"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split(" "))
# A pair scoring at least this is suggested (chosen on the labelled set, see above).
THRESHOLD = 45.0

_STEMMER = snowballstemmer.stemmer("dutch")


# Kept per process by the text itself: stemming (Snowball, in Python) takes about 0.7 ms
# a story, and the inbox scores its page of 15 stories on every poll.
@functools.lru_cache(maxsize=8192)
def terms(text: str) -> frozenset[str]:
    """The stems a text is about (no stop words, no one-letter words)."""
    words = [w for w in utils.default_process(text or "").split()
             if w not in STOPWORDS and len(w) > 1]
    return frozenset(_STEMMER.stemWords(words))


def _part_of(first: str, second: str) -> bool:
    short, long = sorted((first, second), key=len)
    return len(short) >= 5 and (long.startswith(short) or long.endswith(short))


class Likeness:
    """Scores pairs of texts against the rarity of their words in ``corpus``."""

    def __init__(self, corpus: Iterable[frozenset[str]]):
        documents = list(corpus)
        self.size = len(documents)
        self.frequency = Counter(term for document in documents for term in document)

    def weight(self, term: str, pair: tuple[frozenset[str], ...] = ()) -> float:
        """How much sharing ``term`` says: more, the fewer texts have it (smoothed IDF),
        counted among the texts other than the ``pair`` being compared (two texts that
        share a rare word must not make it common themselves). The 25 added to the count
        of texts keeps a handful of texts (a small session) from calling every word
        common."""
        others = self.frequency.get(term, 0) - sum(term in text for text in pair)
        return math.log((self.size - len(pair) + 25) / (max(others, 0) + 0.5))

    def score(self, first: frozenset[str], second: frozenset[str]) -> float:
        """0-100: the rarity-weighted cosine of two sets of stems."""
        if not first or not second:
            return 0.0
        pair = (first, second)

        def weight(term: str) -> float:
            return self.weight(term, pair)

        shared = sum(weight(t) for t in first & second)
        # Dutch glues words together: "verzekeraar" in "zorgverzekeraar", "eigenaar" in
        # "eigenaarschap". A stem of 5+ letters that begins or ends another counts too.
        for term in first - second:
            other = next((o for o in second - first if _part_of(term, o)), None)
            if other is not None:
                shared += min(weight(term), weight(other))
        if not shared:
            return 0.0
        norm = math.sqrt(sum(weight(t) for t in first) * sum(weight(t) for t in second))
        return 100.0 * shared / norm if norm else 0.0
