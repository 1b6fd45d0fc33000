"""Pages to add, change, link, delete and restore activities and effects."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import orm
from wtforms.fields.choices import SelectChoice

from rem.access import current_access
from rem.access.routes import collaboration_or_404
from rem.audit.models import AuditEvent
from rem.codes.services import all_codebooks, code_choices
from rem.collaborations.models import Collaboration
from rem.core.dates import DateLabels, FuzzyDate, stored
from rem.core.forms import EmptyForm
from rem.core.http import saving
from rem.extensions import db
from rem.ripples import conflicts, services
from rem.ripples.choices import item_choices
from rem.ripples.forms import (
    ActivityForm,
    EffectForm,
    EffectLinkForm,
    LinkForm,
    answers_of,
    intended_value,
    valence_value,
)
from rem.ripples.logview import load_graph
from rem.ripples.models import Kind, RippleItem, RippleLink

bp = Blueprint("ripples", __name__, url_prefix="/collaborations/<slug>")


def _editable(slug: str) -> Collaboration:
    collaboration = collaboration_or_404(slug)
    if not current_access().edits(collaboration):
        abort(403)
    return collaboration


def _item_or_404(collaboration: Collaboration, item_id: int, *,
                 allow_deleted: bool = False) -> RippleItem:
    """Return a visible item of this collaboration; anything else is 'not found'."""
    item = db.session.get(RippleItem, item_id)
    access = current_access()
    if item is None or item.collaboration_id != collaboration.id or not access.sees_item(item):
        abort(404)
    if item.deleted_at is not None and not (allow_deleted and access.edits(collaboration)):
        abort(404)
    return item


def _input(form) -> services.ItemInput:
    data = services.ItemInput(
        title=form.title.data or "",
        when=FuzzyDate.of(form.date_value.data, form.date_precision.data),
        description=form.description.data or "",
        visibility=form.visibility.data,
        code_ids=list(form.codes.data or []),
    )
    if isinstance(form, ActivityForm):
        data.participant_count = form.participant_count.data
        data.governance_style = form.governance_style.data or None
        data.ladder_step = form.ladder_step.data or None
    else:
        data.intended = intended_value(form.intended.data)
        data.valence = valence_value(form.valence.data)
        data.noticed_by = form.noticed_by.data or None
        data.evidence_kind = form.evidence_kind.data or None
        data.evidence_text = form.evidence_text.data or ""
        data.evidence_url = (form.evidence_url.data or "").strip()
    return data


def _form_for(kind: Kind, collaboration: Collaboration, item: RippleItem | None = None):
    form_class = ActivityForm if kind == Kind.ACTIVITY else EffectForm
    form = form_class(obj=item)
    form.codes.choices = code_choices()
    if kind == Kind.EFFECT:
        form.causes.choices = item_choices(collaboration, exclude=item.id if item else None)
    if kind == Kind.EFFECT and request.method == "POST":
        for answer in (form.intended, form.valence):
            if answer.name not in request.form:  # not the stored value: the person answers
                answer.data = None
    if request.method == "GET" and item is not None:
        form.date_value.data = item.date_start
        form.codes.data = [c.id for c in item.codes]
        form.version.data = str(item.version)
        if kind == Kind.EFFECT:
            form.intended.data, form.valence.data = answers_of(item)
            form.causes.data = [link.cause_id for link in _cause_links(item)]
    return form


def _cause_links(item: RippleItem) -> list[RippleLink]:
    """Return the live links from the item's live causes."""
    return list(db.session.scalars(
        sa.select(RippleLink).join(RippleItem, RippleItem.id == RippleLink.cause_id)
        .where(RippleLink.effect_id == item.id, RippleLink.deleted_at.is_(None),
               RippleItem.deleted_at.is_(None))))


def _set_causes(item: RippleItem, wanted: list[int]) -> None:
    """Make the item's live causes exactly ``wanted``, through the link services (the
    cycle check and the audit trail as for one link; a removed link can come back)."""
    current = {link.cause_id: link for link in _cause_links(item)}
    for cause_id, link in current.items():
        if cause_id not in wanted:
            services.remove_link(link)
    for cause_id in dict.fromkeys(wanted):
        if cause_id in current:
            continue
        cause = db.session.get(RippleItem, cause_id)
        if cause is None or cause.collaboration_id != item.collaboration_id:
            raise services.RippleError(
                _("U kunt alleen items van hetzelfde samenwerkingsverband verbinden."))
        services.add_link(cause, item)


@bp.route("/activities/new", methods=["GET", "POST"], defaults={"kind": "activity"},
          endpoint="new_activity")
@bp.route("/effects/new", methods=["GET", "POST"], defaults={"kind": "effect"},
          endpoint="new_effect")
def new(slug: str, kind: str):
    """Add an activity or an effect."""
    collaboration = _editable(slug)
    kind = Kind(kind)
    form = _form_for(kind, collaboration)
    if request.method == "GET" and kind == Kind.EFFECT and request.args.get("cause", "").isdigit():
        form.causes.data = [int(request.args["cause"])]
    if form.validate_on_submit():
        with saving(services.RippleError) as saved:
            item = services.create_item(collaboration, kind, _input(form))
            if kind == Kind.EFFECT:
                for cause_id in form.causes.data or []:
                    cause = db.session.get(RippleItem, cause_id)
                    if cause is not None:
                        services.add_link(cause, item)
            saved.flash(_("Opgeslagen: “%(title)s”.", title=item.title))
        if saved:
            return redirect(url_for("ripples.show", slug=slug, item_id=item.id))
    return render_template("ripples/form.html", form=form, collaboration=collaboration,
                           kind=kind, item=None, codebooks=all_codebooks())


@bp.get("/items/<int:item_id>")
def show(slug: str, item_id: int):
    """Show one activity or effect, what it grew from, what grew from it, and its history."""
    collaboration = collaboration_or_404(slug)
    item = _item_or_404(collaboration, item_id, allow_deleted=True)
    access = current_access()
    clause = access.item_clause(collaboration)
    log = load_graph(collaboration, clause)
    by_id = log.ids()
    links = db.session.scalars(
        sa.select(RippleLink).where(
            sa.or_(RippleLink.cause_id == item.id, RippleLink.effect_id == item.id),
            RippleLink.deleted_at.is_(None))
        .options(orm.joinedload(RippleLink.cause), orm.joinedload(RippleLink.effect))
    ).all()
    cause_links = [lk for lk in links if lk.effect_id == item.id and lk.cause_id in by_id]
    effect_links = [lk for lk in links if lk.cause_id == item.id and lk.effect_id in by_id]
    can_edit = access.edits(collaboration)
    link_form = None
    if can_edit and item.kind == Kind.EFFECT and item.deleted_at is None:
        link_form = LinkForm()
        linked = {lk.cause_id for lk in cause_links}
        link_form.cause_id.choices = [
            c for c in item_choices(collaboration, exclude=item.id) if c.value not in linked
        ]
    effect_form = None
    if can_edit and item.deleted_at is None:
        effect_form = EffectLinkForm()
        led_to = {lk.effect_id for lk in effect_links}
        effects = []
        labels = DateLabels()
        for effect_id, kind, title, start, precision in log.rows:
            if kind == Kind.EFFECT.value and effect_id != item.id and effect_id not in led_to:
                effects.append(((*stored(start, precision).sort_key(), effect_id),
                                SelectChoice(effect_id, f"{title} ({labels(start, precision)})")))
        effect_form.effect_id.choices = [choice for _key, choice in
                                         sorted(effects, key=lambda pair: pair[0])]
    history = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity_type == item.kind,
                                    AuditEvent.entity_id == item.id)
        .order_by(AuditEvent.at.desc()).options(orm.joinedload(AuditEvent.user))
    ).all() if access.reads_all_of(collaboration) else []
    return render_template(
        "ripples/show.html", collaboration=collaboration, item=item,
        order=log.orders.get(item.id), cause_links=cause_links, effect_links=effect_links,
        can_edit=can_edit, link_form=link_form, effect_form=effect_form, button_form=EmptyForm(),
        history=history,
    )


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
def edit(slug: str, item_id: int):
    """Change an item; a save over someone else's newer save is refused and both shown."""
    collaboration = _editable(slug)
    item = _item_or_404(collaboration, item_id)
    kind = Kind(item.kind)
    form = _form_for(kind, collaboration, item)
    conflict = None
    differences: list[conflicts.Difference] = []
    base = request.form.get("base") if request.method == "POST" else None
    if form.validate_on_submit():
        data = _input(form)
        # Only a form that showed the causes changes them: no check box ticked then
        # means "no cause", but a form without them (a script, an older page) keeps them.
        cause_ids = (list(form.causes.data or [])
                     if kind == Kind.EFFECT and request.form.get("causes_shown") else None)
        with saving(services.RippleError, silent=(services.EditConflict,)) as saved:
            services.update_item(item, data, int(form.version.data or 0))
            if cause_ids is not None:
                _set_causes(item, cause_ids)
            saved.flash(_("De wijzigingen zijn opgeslagen."))
        if saved:
            return redirect(url_for("ripples.show", slug=slug, item_id=item.id))
        if isinstance(saved.error, services.EditConflict):
            conflict = saved.error
            now = conflicts.item_values(item, causes=cause_ids is not None)
            differences, take = conflicts.compare(
                now, conflicts.input_values(kind, data, cause_ids), base)
            conflicts.take_over(form, take)
            # The person has now seen every difference: the next save may replace them.
            form.version.data = str(item.version)
            base = conflicts.fingerprint(now)
    if base is None:
        base = conflicts.fingerprint(conflicts.item_values(item, causes=kind == Kind.EFFECT))
    status = 409 if conflict else 200
    return render_template("ripples/form.html", form=form, collaboration=collaboration,
                           kind=kind, item=item, conflict=conflict, differences=differences,
                           base=base, codebooks=all_codebooks()), status


@bp.route("/items/<int:item_id>/delete", methods=["GET", "POST"])
def delete(slug: str, item_id: int):
    """Ask first, then move the item to the bin."""
    collaboration = _editable(slug)
    item = _item_or_404(collaboration, item_id)
    form = EmptyForm()
    if form.validate_on_submit():
        services.delete_item(item)
        db.session.commit()
        flash(_("“%(title)s” staat nu in de prullenbak. U kunt het daar terugzetten.",
                title=item.title), "success")
        return redirect(url_for("collaborations.show", slug=slug))
    return render_template("ripples/delete.html", collaboration=collaboration, item=item,
                           dependents=services.dependents(item), form=form)


@bp.post("/items/<int:item_id>/restore")
def restore(slug: str, item_id: int):
    """Take an item out of the bin, with its links."""
    collaboration = _editable(slug)
    item = _item_or_404(collaboration, item_id, allow_deleted=True)
    if EmptyForm().validate_on_submit():
        dropped = services.restore_item(item)
        db.session.commit()
        if not dropped:
            flash(_("“%(title)s” is teruggezet, met zijn verbindingen.", title=item.title),
                  "success")
        else:
            flash(_("“%(title)s” is teruggezet, maar zonder deze verbindingen: %(links)s",
                    title=item.title, links=" ".join(
                        _("“%(cause)s” → “%(effect)s” (%(reason)s)", cause=cause.title,
                          effect=effect.title, reason=str(reason).rstrip("."))
                        for cause, effect, reason in dropped)), "warning")
    return redirect(url_for("ripples.show", slug=slug, item_id=item.id))


@bp.post("/items/<int:item_id>/links")
def add_link(slug: str, item_id: int):
    """Link an effect to one more cause."""
    collaboration = _editable(slug)
    item = _item_or_404(collaboration, item_id)
    form = LinkForm()
    form.cause_id.choices = item_choices(collaboration, exclude=item.id)
    if form.validate_on_submit():
        cause = db.session.get(RippleItem, form.cause_id.data)
        if cause is None or cause.collaboration_id != collaboration.id:
            flash(_("U kunt alleen items van hetzelfde samenwerkingsverband verbinden."), "error")
        else:
            with saving(services.RippleError) as saved:
                services.add_link(cause, item)
                saved.flash(_("De verbinding is toegevoegd."))
    else:
        flash(_("Kies waar dit effect uit voortkwam."), "error")
    return redirect(url_for("ripples.show", slug=slug, item_id=item.id))


@bp.post("/items/<int:item_id>/effects")
def add_effect_link(slug: str, item_id: int):
    """Record that this item led to an existing effect."""
    collaboration = _editable(slug)
    item = _item_or_404(collaboration, item_id)
    form = EffectLinkForm()
    form.effect_id.choices = item_choices(collaboration, exclude=item.id)
    effect = db.session.get(RippleItem, form.effect_id.data) if form.validate_on_submit() \
        else None
    if effect is None or effect.collaboration_id != collaboration.id:
        flash(_("Kies het effect waartoe dit leidde."), "error")
    else:
        try:
            services.add_link(item, effect)
        except services.RippleError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("De verbinding is toegevoegd."), "success")
    return redirect(url_for("ripples.show", slug=slug, item_id=item.id))


@bp.post("/links/<int:link_id>/delete")
def remove_link(slug: str, link_id: int):
    """Remove a link between two items."""
    collaboration = _editable(slug)
    link = db.session.get(RippleLink, link_id)
    if link is None or link.collaboration_id != collaboration.id or link.deleted_at is not None:
        abort(404)
    if EmptyForm().validate_on_submit():
        services.remove_link(link)
        db.session.commit()
        flash(_("De verbinding is weggehaald."), "success")
    target = request.form.get("back_to", type=int) or link.effect_id
    return redirect(url_for("ripples.show", slug=slug, item_id=target))


@bp.get("/bin")
def bin(slug: str):
    """List the collaboration's deleted items, to restore them."""
    collaboration = _editable(slug)
    items = db.session.scalars(
        sa.select(RippleItem).where(RippleItem.collaboration_id == collaboration.id,
                                    RippleItem.deleted_at.is_not(None))
        .order_by(RippleItem.deleted_at.desc())
    ).all()
    return render_template("ripples/bin.html", collaboration=collaboration, items=items,
                           form=EmptyForm(), can_purge=current_access().is_admin)


@bp.post("/bin/empty")
def empty_bin(slug: str):
    """Let an administrator delete the binned items for good."""
    collaboration = collaboration_or_404(slug)
    if not current_access().is_admin:
        abort(403)
    if EmptyForm().validate_on_submit():
        count = services.purge_bin(collaboration)
        db.session.commit()
        flash(ngettext("De prullenbak is geleegd (%(num)d item definitief verwijderd).",
                       "De prullenbak is geleegd (%(num)d items definitief verwijderd).", count),
              "success")
    return redirect(url_for("ripples.bin", slug=slug))


