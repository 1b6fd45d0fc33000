"""The collaboration model."""

from __future__ import annotations

import enum
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import orm

from rem.core.database import SLUG_MAX, TimestampMixin
from rem.extensions import db
from rem.hubs.models import Hub


class Scale(enum.StrEnum):
    """The reach of a collaboration."""

    LOCAL = "lokaal"
    REGIONAL = "regionaal"
    PROVINCIAL = "provinciaal"


SCALE_LABELS = {
    Scale.LOCAL: _l("Lokaal"),
    Scale.REGIONAL: _l("Regionaal"),
    Scale.PROVINCIAL: _l("Provinciaal"),
}


class Stage(enum.StrEnum):
    """Whether a collaboration is a pioneer or a front-runner."""

    PIONEER = "pionier"
    FRONT_RUNNER = "koploper"


STAGE_LABELS = {Stage.PIONEER: _l("Pionier"), Stage.FRONT_RUNNER: _l("Koploper")}


NAME_MAX = 200
REGION_MAX = 200
TARGET_GROUP_MAX = 300


class Collaboration(TimestampMixin, db.Model):
    """A samenwerkingsverband: the owner of a ripple log."""

    __tablename__ = "collaborations"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    hub_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("hubs.id"), index=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(NAME_MAX))
    slug: orm.Mapped[str] = orm.mapped_column(sa.String(SLUG_MAX), unique=True, index=True)
    region: orm.Mapped[str] = orm.mapped_column(sa.String(REGION_MAX), default="")
    scale: orm.Mapped[str] = orm.mapped_column(sa.String(20), default=Scale.LOCAL.value)
    target_group: orm.Mapped[str] = orm.mapped_column(sa.String(TARGET_GROUP_MAX), default="")
    goal: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    stage: orm.Mapped[str] = orm.mapped_column(sa.String(20), default=Stage.PIONEER.value)
    start_date: orm.Mapped[date | None] = orm.mapped_column(sa.Date)
    # Researchers get only pseudonymised exports when this is set.
    pseudonymise_for_research: orm.Mapped[bool] = orm.mapped_column(default=True)

    hub: orm.Mapped[Hub] = orm.relationship(back_populates="collaborations")
