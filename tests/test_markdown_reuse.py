"""Reusing one Markdown converter per thread gives what a fresh converter gives.

rem.core.markdown resets and reuses its converters (building one per tooltip made maps
slow); nothing from one text may leak into the next: reference links, footnotes,
abbreviations, attribute lists.
"""

from __future__ import annotations

import html
import random
import threading

import markdown as md
import nh3
import pytest

from rem.core import markdown as rem_markdown

pytestmark = pytest.mark.one_database  # the same on every database

TEXTS = [
    "Zie [de site][1].\n\n[1]: https://example.org",
    "[de site][1] zonder definitie",
    "*[HTML]: Hyper Text Markup Language\n\nHTML is mooi",
    "HTML is mooi",
    "Voetnoot[^1].\n\n[^1]: Hier staat ze.",
    "Nog een voetnoot[^1] zonder definitie",
    "Term\n: Definitie",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "```\ncode\n```",
    "<b>vet</b> & <script>alert(1)</script>",
    "- a\n- b\n\n1. c\n3. d",
    "# Kop {: .klasse }",
    "<div markdown=\"1\">*nadruk*</div>",
    "Gewone tekst met **vet** en _schuin_.",
]


def _fresh_full(text: str) -> str:
    converted = md.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    return nh3.clean(converted, tags=rem_markdown.ALLOWED_TAGS,
                     attributes=rem_markdown.ALLOWED_ATTRIBUTES,
                     url_schemes=rem_markdown.ALLOWED_SCHEMES,
                     link_rel="noopener noreferrer nofollow")


def _fresh_plain(text: str) -> str:
    plain = nh3.clean(md.markdown(text, output_format="html"), tags=set()).strip()
    return " ".join(html.unescape(plain).split())


def test_any_order_of_texts_converts_as_with_a_fresh_converter():
    rng = random.Random(8)
    for _ in range(400):
        text = rng.choice(TEXTS)
        assert rem_markdown.render_markdown(text) == _fresh_full(text), text
        assert rem_markdown.plain_text(text) == _fresh_plain(text), text


def test_threads_use_their_own_converters():
    problems: list[str] = []

    def work(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(150):
            text = rng.choice(TEXTS)
            if rem_markdown.render_markdown(text) != _fresh_full(text):
                problems.append(text)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert problems == []
