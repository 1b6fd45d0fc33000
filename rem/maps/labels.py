"""Label text for maps: one clean line per title, shortened and wrapped.

Pure text work, shared by the renderer (DOT) and the paper layout; nothing here knows
Graphviz.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata

WRAP_WIDTH = 28
TITLE_LIMIT = 120
SHORT_LIMIT = 60
GRAPH_TITLE_LIMIT = 200
TOOLTIP_LIMIT = 1500
ELLIPSIS = "…"

# Code points that must never reach Graphviz or the SVG: C0/C1 controls, DEL,
# surrogates, line/paragraph separators and Unicode noncharacters.
_NONCHARACTERS = {0xFFFE, 0xFFFF} | set(range(0xFDD0, 0xFDF0))
_SPACE_RE = re.compile(r"\s+")


def _is_forbidden(char: str) -> bool:
    """Tell whether ``char`` must not reach Graphviz or the SVG."""
    code = ord(char)
    if code in _NONCHARACTERS or (code & 0xFFFF) in (0xFFFE, 0xFFFF):
        return True
    return unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp")


# The same set as _is_forbidden, as one character class (tests check they agree on every
# code point): a regex is about 20 times faster than a test per character on big maps.
_FORBIDDEN_RE = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\ufdd0-\ufdef"
    + "".join(f"\\U{plane:04X}FFFE\\U{plane:04X}FFFF" for plane in range(17))
    + "]"
)


def clean_text(text: str | None) -> str:
    """Return ``text`` on one line: control characters become spaces, spaces collapse."""
    if not text:
        return ""
    text = str(text)
    # Fast path, for most titles and lines: printable text (str.isprintable is False for
    # every forbidden character and every whitespace but the plain space) with single
    # spaces inside and none at the ends is already clean.
    if text.isprintable() and "  " not in text and text[0] != " " and text[-1] != " ":
        return text
    text = _FORBIDDEN_RE.sub(" ", text)
    return _SPACE_RE.sub(" ", text).strip()


def shorten(text: str | None, limit: int) -> str:
    """Return ``text`` cleaned and cut to ``limit`` characters, ending in "…" when cut."""
    text = clean_text(text)
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + ELLIPSIS
    return text


def wrap_title(title: str | None, width: int = WRAP_WIDTH, limit: int = TITLE_LIMIT) -> list[str]:
    """Return the title as label lines: truncated past ``limit``, wrapped at ``width``."""
    text = shorten(title, limit)
    if 0 < len(text) <= width:
        return [text]  # what textwrap returns for clean, short text, without its cost
    words = text.split(" ")
    if text and all(0 < len(word) <= width for word in words):
        # Clean text (single spaces) whose words all fit: textwrap's greedy filling is
        # this loop (property-tested against textwrap), at a fifth of its cost.
        lines, line = [], words[0]
        for word in words[1:]:
            if len(line) + 1 + len(word) <= width:
                line = f"{line} {word}"
            else:
                lines.append(line)
                line = word
        lines.append(line)
        return lines
    lines = textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=False)
    return lines or [ELLIPSIS]


# Bidirectional classes of right-to-left text and of the controls that reorder text.
_RTL_OR_CONTROL = {"R", "AL", "AN", "RLE", "RLO", "RLI", "LRE", "LRO", "LRI", "FSI", "PDF",
                   "PDI"}
# Marks that join a letter (accents written apart, vowel signs, keycaps) and format
# characters (zero-width joiner, tags of a flag); variation selectors are marks too.
_JOINING_CATEGORIES = {"Mn", "Mc", "Me", "Cf"}
_SKIN_TONES = range(0x1F3FB, 0x1F400)
_REGIONAL_INDICATORS = range(0x1F1E6, 0x1F200)  # two of them are one flag
_HANGUL_JAMO = range(0x1100, 0x1200)


def needs_shaping(text: str) -> bool:
    """Tell whether ``text`` has characters that only print right when shaped: right to
    left (Arabic, Hebrew), joined to a neighbour (marks, the zero-width joiner, vowel
    signs of Indic scripts) or several code points making one emoji (a skin tone, a
    flag). Text without them (Dutch, with é and ë; Chinese; a single emoji) prints the
    same letter by letter, as WeasyPrint draws an SVG's text."""
    if text.isascii():
        return False
    for char in set(text):
        code = ord(char)
        if code < 0x80:
            continue
        if (unicodedata.bidirectional(char) in _RTL_OR_CONTROL
                or unicodedata.category(char) in _JOINING_CATEGORIES
                or code in _SKIN_TONES or code in _REGIONAL_INDICATORS
                or code in _HANGUL_JAMO):
            return True
    return False
