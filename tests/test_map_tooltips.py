"""Map tooltips are remembered by everything they show, and by the language."""

from __future__ import annotations

from datetime import date

from flask_babel import force_locale

from rem.codes.models import Code
from rem.maps import builder
from rem.ripples.models import Effect


def _effect(**changes) -> Effect:
    fields = dict(id=5, kind="effect", title="Meer contact", description="Over *contact*.",
                  date_start=date(2024, 3, 1), date_precision="month", intended=True,
                  valence="positive")
    effect = Effect(**{**fields, **changes})
    effect.codes = [Code(name="Sleutelpersonen", slug="s")]
    return effect


def test_tooltips_follow_every_shown_field_and_the_language(app):
    with app.test_request_context("/"):
        first = builder._tooltip(_effect(), 2)
        assert first == "Meer contact\nmaart 2024\nEffect, bedoeld, positief, 2e rimpeling\n" \
                        "Codes: Sleutelpersonen\nOver contact."
        assert builder._tooltip(_effect(), 2) is first  # remembered
        for change in [dict(title="Ander"), dict(description="Nieuw"), dict(intended=False),
                       dict(valence="mixed"), dict(date_start=date(2024, 4, 1))]:
            assert builder._tooltip(_effect(**change), 2) != first, change
        assert builder._tooltip(_effect(), 3) != first
        renamed = _effect()
        renamed.codes = [Code(name="Andere code", slug="a")]
        assert "Andere code" in builder._tooltip(renamed, 2)
        with force_locale("en"):
            english = builder._tooltip(_effect(), 2)
        assert english != first and "Effect, intended, positive" in english
        assert builder._tooltip(_effect(), 2) is first


def test_the_tooltip_memo_stays_bounded(app):
    builder._TOOLTIPS.clear()
    with app.test_request_context("/"):
        for n in range(builder.TOOLTIP_CACHE_SIZE + 10):
            builder._tooltip(_effect(title=f"Effect {n}"), 1)
    assert len(builder._TOOLTIPS) == builder.TOOLTIP_CACHE_SIZE
