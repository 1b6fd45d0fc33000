"""Replace person names in exported text by stable pseudonyms ("Persoon A").

What is detected, and nothing more:

- the names of accounts (``User.name``): the full name (any case), and, written
  with a capital, the first name and the surname with or without its particles
  ("de Vries", "Vries"); all variants of one account get the same pseudonym;
- extra names given for one export: one person per line, variants separated by
  ";" (for example ``Jan Jansen; Jan; meneer Jansen``). A title or form of address
  in front ("meneer", "wethouder", "dr.") is part of the whole name but never
  replaced on its own: "wethouder Jansen" replaces "wethouder Jansen" and "Jansen",
  and leaves every other "wethouder" alone;
- never a single word that is a title or a common Dutch word (``COMMON_WORDS``), even
  when a name part is spelled like one ("Wil", "Mag", "Roos" at the start of a sentence);
- e-mail addresses (replaced by "[e-mailadres]") and Dutch telephone numbers
  (replaced by "[telefoonnummer]").

Names of people who have no account and are not listed are NOT found: there is
no guessing from capitalised words. The export page says so.

A pseudonym is given on first appearance in one export, so the same person gets
the same pseudonym throughout one export but a different one in another export.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

PARTICLES = {"van", "de", "der", "den", "het", "ter", "ten", "te", "in", "t", "'t", "la", "le",
             "du", "da", "von", "op"}
MIN_PART = 3  # single name parts shorter than this are too ambiguous to replace

# Titles and forms of address: written before a name, never a name themselves.
TITLES = {
    "meneer", "mevrouw", "mevr", "mw", "dhr", "heer", "mr", "dr", "drs", "ir", "ing", "prof",
    "professor", "dokter", "wethouder", "burgemeester", "raadslid", "gedeputeerde",
    "minister", "staatssecretaris", "juf", "juffrouw", "meester", "pastoor", "dominee",
    "zuster", "broeder", "oom", "tante", "opa", "oma", "buurman", "buurvrouw", "wijkagent",
    "huisarts", "directeur", "voorzitter", "coördinator", "coordinator", "mijnheer", "sir",
    "mrs", "ms", "miss", "mister",
}
# Common words that are also first names or surnames: replaced only as part of a whole
# name, never alone (a name given as one of these words alone is left out).
# Surnames that are also words ("Bakker", "Visser") stay: single parts are matched only
# with their capital, and leaving a surname in the text would be the worse mistake.
COMMON_WORDS = TITLES | PARTICLES | {
    "wil", "mag", "kan", "zal", "moet", "hoop", "eerst", "samen", "heel", "veel", "goed",
    "en", "of", "met", "voor", "na", "om", "bij", "aan", "uit", "als", "dan", "maar", "nog",
    "wel", "niet", "ook", "dat", "die", "dit", "deze", "wat", "wie", "waar", "hier", "daar",
    "zo", "nu", "toen", "winter", "zomer", "lente", "herfst", "markt", "dorp", "buurt",
    "wijk", "raad", "school", "huis", "kerk",
}

WORD_RE = re.compile(r"\w+")
DIGIT_RE = re.compile(r"\d")
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_RE = re.compile(
    r"(?<![\w+])(?:\+31[\s-]?|0031[\s-]?|0)(?:6[\s-]?\d{8}|\d{2,3}[\s-]?\d{6,7})(?!\d)"
)


def pseudonym_label(n: int) -> str:
    """Return 'Persoon A' for 0, ... 'Persoon Z', 'Persoon AA' for 26, and so on."""
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"Persoon {letters}"


def _is_title(word: str) -> bool:
    return word.lower().rstrip(".") in TITLES


def _alone(word: str) -> bool:
    """Tell whether ``word`` may be replaced on its own (long enough, not a common word)."""
    return len(word) >= MIN_PART and word.lower().rstrip(".") not in COMMON_WORDS


def name_variants(full_name: str) -> list[str]:
    """Return the ways one person's name may be written: the whole name as given, the name
    without titles in front, the first name and the surname (with and without particles).

    Titles in front ("wethouder", "meneer", "de heer") belong to the whole name only; a
    single part that is a common word is left out (``COMMON_WORDS``).
    """
    full = " ".join(full_name.split())
    if not full or "@" in full:
        return []
    words = full.split(" ")
    while words and (_is_title(words[0]) or (
            len(words) > 1 and words[0].lower() == "de" and words[1].lower() == "heer")):
        words = words[2:] if words[0].lower() == "de" else words[1:]
    if not words:
        return []  # only a title: nobody to replace
    core = " ".join(words)
    titled = core != full
    variants = [full] if (" " in full and not titled) or titled or _alone(full) else []
    if titled and (" " in core or _alone(core)):
        variants.append(core)
    if titled and len(words) == 1:
        return list(dict.fromkeys(variants))  # "meneer Jansen": Jansen is the surname
    if len(words) > 1:
        first, rest = words[0], words[1:]
        if _alone(first) and first.lower() not in PARTICLES:
            variants.append(first)
        surname = " ".join(rest)
        if len(surname) >= MIN_PART and (len(rest) > 1 or _alone(surname)):
            variants.append(surname)
            if rest[0].lower() in PARTICLES:
                variants.append(surname[0].upper() + surname[1:])
        bare = [p for p in rest if p.lower() not in PARTICLES]
        if bare and len(bare[-1]) >= MIN_PART + 1 and _alone(bare[-1]):
            variants.append(bare[-1])
    return list(dict.fromkeys(variants))


class Pseudonymiser:
    """Replace known names consistently within one export."""

    def __init__(self, people: Iterable[Iterable[str]], *, stable: bool = False):
        """``people``: for each person, the ways their name is written.

        ``stable``: label people by their position in ``people`` instead of by first
        appearance, so that separate requests (API pages) use the same pseudonyms.
        """
        self._stable = stable
        # What was replaced, as written, by what: the export page's preview lists it.
        self.found: Counter[tuple[str, str]] = Counter()
        self._person_of: dict[str, int] = {}
        self._label_of: dict[int, str] = {}
        full_patterns: list[str] = []
        part_patterns: list[str] = []
        for index, variants in enumerate(people):
            for variant in variants:
                variant = " ".join(variant.split())
                if len(variant) < MIN_PART or variant.lower() in self._person_of:
                    continue
                self._person_of[variant.lower()] = index
                escaped = r"\s+".join(re.escape(w) for w in variant.split(" "))
                (full_patterns if " " in variant else part_patterns).append(escaped)
        # Words that start a name: texts without any of them skip the big expression.
        self._starts = {
            next((w for w in v.split(" ") if w not in PARTICLES), v.split(" ")[0])
            for v in self._person_of
        }
        alternatives = [f"(?i:{p})" for p in sorted(full_patterns, key=len, reverse=True)]
        alternatives += sorted(part_patterns, key=len, reverse=True)
        self._regex = (
            re.compile(r"(?<!\w)(" + "|".join(alternatives) + r")(?!\w)") if alternatives else None
        )

    @classmethod
    def from_names(cls, account_names: Iterable[str], extra_lines: Iterable[str] = (), *,
                   stable: bool = False) -> Pseudonymiser:
        """Build from account names and extra lines ("Jan Jansen; Jan")."""
        people = [name_variants(n) for n in account_names if n and n.strip()]
        for line in extra_lines:
            variants: list[str] = []
            for chunk in line.split(";"):
                # An e-mail address given as a name is replaced as it is written.
                variants.extend(name_variants(chunk) or ([chunk.strip()] if "@" in chunk else []))
            if variants:
                people.append(list(dict.fromkeys(variants)))
        return cls(people, stable=stable)

    def label(self, person: int) -> str:
        """Return the pseudonym of ``person``, giving the next free one on first use."""
        if person not in self._label_of:
            self._label_of[person] = pseudonym_label(
                person if self._stable else len(self._label_of))
        return self._label_of[person]

    def _replace(self, match: re.Match) -> str:
        written = " ".join(match.group(1).split())
        label = self.label(self._person_of[written.lower()])
        self.found[(written, label)] += 1
        return label

    def _marker(self, marker: str):
        def replace(match: re.Match) -> str:
            self.found[(match.group(0), marker)] += 1
            return marker
        return replace

    def text(self, value: str | None) -> str:
        """Return ``value`` with names, e-mail addresses and phone numbers replaced."""
        if not value:
            return value or ""
        if "@" in value:
            value = EMAIL_RE.sub(self._marker("[e-mailadres]"), value)
        if DIGIT_RE.search(value):  # a phone number needs digits (a scan in C)
            value = PHONE_RE.sub(self._marker("[telefoonnummer]"), value)
        if self._regex is not None and not self._starts.isdisjoint(
                WORD_RE.findall(value.lower())):
            value = self._regex.sub(self._replace, value)
        return value

    def replacements(self) -> list[tuple[str, str, int]]:
        """Return what was replaced so far: (as written, replaced by, how often), grouped by
        pseudonym in the order they were given, the most frequent spelling first."""
        def sort_key(entry):
            (written, label), count = entry
            return (label.startswith("["), len(label), label, -count, written.lower())
        return [(written, label, count)
                for (written, label), count in sorted(self.found.items(), key=sort_key)]

    @property
    def used(self) -> int:
        """Tell how many different people were replaced so far."""
        return len(self._label_of)
