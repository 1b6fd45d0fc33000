"""What the report of an annual borging review shows (page and PDF): the radars, the
year's map (frozen once adopted), the evidence and the comparison with last year."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from markupsafe import Markup

from rem.access import Access
from rem.access import reviews as review_access
from rem.collaborations.models import Collaboration
from rem.core import pdf
from rem.maps import saved
from rem.reviews import adoption, comparison, radar, services
from rem.reviews import evidence as review_evidence
from rem.reviews.maps import year_map
from rem.reviews.models import (
    CURRENT_PILLARS,
    NATIONAL_REFERENCE,
    OLDER_PILLARS,
    REVIEW_STATUS_LABELS,
    STRATEGY_SLUGS,
    STRATEGY_STATUS_LABELS,
    BorgingReview,
)
from rem.threads.services import thread_snapshots


def score_text(score: float | None) -> str:
    """A score as the Dutch write it (3,5), or "" when there is none."""
    if score is None:
        return ""
    return f"{score:g}".replace(".", ",")


def radar_of(review: BorgingReview, previous: BorgingReview | None, *, older: bool) -> dict:
    """The participation radar of ``review`` (the five current pillars, or the seven older
    ones beside the national reference) with last year's scores, and its text."""
    pillars = OLDER_PILLARS if older else CURRENT_PILLARS
    labels = [str(label) for label in pillars.values()]
    now = {s.pillar: s.score for s in review.scores}
    series = [radar.Series(_("Deze review (%(year)d)", year=review.year),
                           [now.get(p) for p in pillars], "#1f5fa8", fill="#1f5fa8")]
    before: dict[str, float] = {}
    if older:
        series.append(radar.Series(_("Landelijke score (543 vragenlijsten)"),
                                   [NATIONAL_REFERENCE[p] for p in pillars], "#555555",
                                   dash="3 4", marker=False))
    elif previous is not None:
        before = {s.pillar: s.score for s in previous.scores}
        if any(p in before for p in pillars):
            series.append(radar.Series(_("Vorig jaar (%(year)d)", year=previous.year),
                                       [before.get(p) for p in pillars], "#b35900",
                                       dash="8 5"))
    title = (_("Participatiespin, zeven pijlers van de oude participatiescan") if older
             else _("Participatiespin, vijf pijlers van de participatiescan"))
    parts = []
    for slug, label in pillars.items():
        score = now.get(slug)
        text = _("%(pillar)s: %(score)s", pillar=label,
                 score=score_text(score) if score is not None else _("niet gescoord"))
        if older:
            text += " " + _("(landelijk %(ref)s)", ref=score_text(NATIONAL_REFERENCE[slug]))
        elif slug in before:
            text += " " + _("(vorig jaar %(score)s)", score=score_text(before[slug]))
        parts.append(text)
    description = _("Scores van 0 tot 5. ") + "; ".join(parts) + "."
    svg = radar.radar_svg(labels, series, title, description,
                          id_prefix="radar-old" if older else "radar-now")
    rows = [{"label": str(label), "now": now.get(slug),
             "before": before.get(slug) if not older else None,
             "reference": NATIONAL_REFERENCE.get(slug) if older else None}
            for slug, label in pillars.items()]
    scored = any(now.get(p) is not None for p in pillars)
    return {"svg": svg, "uri": radar.data_uri(svg), "title": title, "rows": rows,
            "scored": scored, "older": older,
            "has_before": bool(before) and not older}


def report_context(collaboration: Collaboration, review: BorgingReview, access: Access, *,
                   for_pdf: bool = False) -> dict:
    """Everything the report (page and PDF) shows of ``review``, as ``access`` sees it:
    the frozen map once adopted, else the year's map drawn now. ``for_pdf``: with the map
    as paper gets it (``map_uri``; rem.maps.drawing.print_svg), frozen too since adopting
    keeps it; a review adopted before that prints its frozen screen SVG."""
    previous = services.previous_review(review)
    names = services.strategy_names()
    if review.is_adopted:
        map_svg = review.frozen_map_svg
        print_svg = review.frozen_map_print_svg or map_svg
        map_summary = review.frozen_map_summary or ""
        map_key = list((review.frozen_extra or {}).get("map_key", []))
        # The frozen print map, unless its text was shaped into glyph outlines (then the
        # page's text would be pictures: it shows the frozen screen map).
        paper_svg = (print_svg if print_svg and print_svg is not map_svg
                     and "#glyph" not in print_svg else map_svg)
        map_problem = None if map_svg else (review.frozen_map_summary or
                                            _("De kaart is bij het vaststellen niet bewaard."))
    else:
        # Drawn for paper on the screen too: see "screen_map" below.
        drawn = year_map(collaboration, review.year, access,
                         saved.shown_by(review, collaboration), for_pdf=True)
        map_svg, map_summary, map_problem = drawn.svg, drawn.summary, drawn.problem
        print_svg = drawn.print_svg or map_svg
        map_key = drawn.key
        paper_svg = drawn.paper_svg or map_svg
    strategies = {s.strategy: s for s in review.strategies}
    radars = [radar_of(review, previous, older=False)]
    if review.use_older_pillars:
        radars.append(radar_of(review, previous, older=True))
    return {
        "saved_views": saved.views_of(collaboration),
        "review": review, "previous": previous, "names": names,
        "strategies": strategies, "strategy_slugs": STRATEGY_SLUGS,
        "status_labels": {k.value: v for k, v in STRATEGY_STATUS_LABELS.items()},
        "review_status_labels": {k.value: v for k, v in REVIEW_STATUS_LABELS.items()},
        "evidence": review_evidence.evidence_of(review, include_dropped=False),
        "empty": adoption.empty_strategies(review),
        "strategy_changes": comparison.strategy_changes(review, previous),
        "score_changes": comparison.score_changes(review, previous),
        "lists": comparison.year_lists(review),
        "story_threads": (list((review.frozen_extra or {}).get("threads", []))
                          if review.is_adopted else
                          thread_snapshots("review", review.id, access)),
        "radars": radars,
        "map_svg": Markup(map_svg) if map_svg else None,  # noqa: S704 - Graphviz output
        # The page shows the map as paper gets it: a year's timeline in date columns that
        # fill the width, with its key under it; the screen's timeline is a strip whose
        # labels were 5 px high in the report's column.
        "screen_map": Markup(paper_svg) if paper_svg else None,  # noqa: S704 - the same
        "map_uri": radar.data_uri(print_svg) if for_pdf and print_svg else None,
        "map_summary": map_summary, "map_problem": map_problem, "map_key": map_key,
        "score_text": score_text,
        "is_latest": services.is_latest_version(review),
        "can_edit": review_access.may_edit(access, collaboration),
        "pdf_available": pdf.available(),
        "today": date.today(),
    }
