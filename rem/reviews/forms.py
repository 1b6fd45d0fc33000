"""Forms of the borging review: opening a year, and the review itself."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from rem.core.forms import choices
from rem.reviews.models import (
    CURRENT_PILLARS,
    OLDER_PILLARS,
    REVIEW_STATUS_LABELS,
    STRATEGY_SLUGS,
    STRATEGY_STATUS_LABELS,
    ReviewStatus,
)


class NewReviewForm(FlaskForm):
    """Open the review of one year."""

    year = IntegerField(_l("Over welk jaar gaat de review?"), validators=[Optional()])


def strategy_field(slug: str) -> tuple[str, str]:
    """Return the form field names of one strategy: status and narrative."""
    return f"status_{slug}", f"narrative_{slug}"


def score_field(pillar: str) -> str:
    """Return the form field name of one pillar's score."""
    return f"score_{pillar}"


def review_form_class() -> type[FlaskForm]:
    """Return the review form class: one status and narrative per strategy, one score per
    pillar (the template labels the strategies as the codebook names them)."""

    class ReviewForm(FlaskForm):
        status = SelectField(_l("Stand van de review"), choices=choices([
            (ReviewStatus.DRAFT.value, REVIEW_STATUS_LABELS[ReviewStatus.DRAFT]),
            (ReviewStatus.DISCUSSED.value, REVIEW_STATUS_LABELS[ReviewStatus.DISCUSSED])]))
        meeting_date = DateField(_l("Datum van het gesprek"), validators=[Optional()])
        participants = TextAreaField(
            _l("Wie deden mee aan het gesprek?"),
            description=_l("Namen of rollen, bijvoorbeeld: twee inwoners, de "
                           "dorpsondersteuner, een beleidsmedewerker van de gemeente."))
        risk_key_persons = TextAreaField(
            _l("Hangt het werk af van een of twee sleutelpersonen? Wat gebeurt er als zij "
               "stoppen?"))
        risk_project_money = TextAreaField(
            _l("Hangt het werk af van projectgeld? Wat blijft er als het geld stopt?"))
        use_older_pillars = BooleanField(_l("Ook de zeven pijlers van de oude participatiescan "
                                            "scoren (met de landelijke score als vergelijking)"))
        version = HiddenField()

    status_choices = choices([("", _l("Niet ingevuld"))] + [
        (s.value, label) for s, label in STRATEGY_STATUS_LABELS.items()])
    for slug in STRATEGY_SLUGS:
        status_name, narrative_name = strategy_field(slug)
        setattr(ReviewForm, status_name, SelectField(_l("Status"), choices=status_choices,
                                                     validators=[Optional()]))
        setattr(ReviewForm, narrative_name, TextAreaField(_l("Wat is er bereikt, wat nog niet?")))
    for pillar, label in {**CURRENT_PILLARS, **OLDER_PILLARS}.items():
        setattr(ReviewForm, score_field(pillar), StringField(
            label, render_kw={"inputmode": "decimal", "autocomplete": "off"}))
    return ReviewForm
