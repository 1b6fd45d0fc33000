"""Replace person names in exported text by stable pseudonyms ("Persoon A").

What is detected, and nothing more:

- the names of accounts (``User.name``): the full name (any case), and, written
  with a capital, the first name and the surname with or without its particles
  ("de Vries", "Vries"); all variants of one account get the same pseudonym;
- extra names given for one export: one person per line, variants separated by
  ";" (for example ``Jan Jansen; Jan; meneer Jansen``);
- e-mail addresses (replaced by "[e-mailadres]") and Dutch telephone numbers
  (replaced by "[telefoonnummer]").

Names of people who have no account and are not listed are NOT found: there is
no guessing from capitalised words. The export page says so.

A pseudonym is given on first appearance in one export, so the same person gets
the same pseudonym throughout one export but a different one in another export.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

PARTICLES = {"van", "de", "der", "den", "het", "ter", "ten", "te", "in", "t", "'t", "la", "le",
             "du", "da", "von", "op"}
MIN_PART = 3  # single name parts shorter than this are too ambiguous to replace

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


def name_variants(full_name: str) -> list[str]:
    """Return the ways one person's name may be written: full, first name, surname."""
    full = " ".join(full_name.split())
    if not full or "@" in full:
        return []
    variants = [full]
    parts = full.split(" ")
    if len(parts) > 1:
        first, rest = parts[0], parts[1:]
        if len(first) >= MIN_PART:
            variants.append(first)
        surname = " ".join(rest)
        if len(surname) >= MIN_PART:
            variants.append(surname)
            if rest[0].lower() in PARTICLES:
                variants.append(surname[0].upper() + surname[1:])
        bare = [p for p in rest if p.lower() not in PARTICLES]
        if bare and len(bare[-1]) >= MIN_PART + 1:
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
                variants.extend(name_variants(chunk) or ([chunk.strip()] if chunk.strip() else []))
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
        key = " ".join(match.group(1).split()).lower()
        return self.label(self._person_of[key])

    def text(self, value: str | None) -> str:
        """Return ``value`` with names, e-mail addresses and phone numbers replaced."""
        if not value:
            return value or ""
        if "@" in value:
            value = EMAIL_RE.sub("[e-mailadres]", value)
        if DIGIT_RE.search(value):  # a phone number needs digits (a scan in C)
            value = PHONE_RE.sub("[telefoonnummer]", value)
        if self._regex is not None and not self._starts.isdisjoint(
                WORD_RE.findall(value.lower())):
            value = self._regex.sub(self._replace, value)
        return value

    @property
    def used(self) -> int:
        """Tell how many different people were replaced so far."""
        return len(self._label_of)
