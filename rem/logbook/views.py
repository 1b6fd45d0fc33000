"""Pages of the learning log, the overview of open actions, and search."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import orm
from wtforms.fields.choices import SelectChoice

from rem.access import current_access
from rem.access.entries import may_edit, may_mark_done, may_share, may_write, sees_entry
from rem.access.routes import collaboration_or_404
from rem.audit.models import AuditEvent
from rem.codes.services import all_codebooks, code_choices
from rem.collaborations.models import Collaboration
from rem.core.forms import EmptyForm
from rem.core.http import saving
from rem.core.markdown import plain_text
from rem.extensions import db
from rem.hubs.services import collaborations_by_hub
from rem.logbook import search as search_service
from rem.logbook import services
from rem.logbook.forms import PROMPTS, DoneForm, EntryForm
from rem.logbook.models import (
    KIND_HINTS,
    KIND_LABELS,
    KIND_PLURALS,
    EntryKind,
    LogEntry,
)
from rem.ripples.choices import item_choices
from rem.ripples.models import RippleItem
from rem.threads.models import PlacementKind
from rem.threads.services import placed_threads
from rem.threads.targets import ThreadTarget, register_target
from rem.workshops.models import Workshop

bp = Blueprint("logbook", __name__)


def _describe_entry(entry_id: int) -> tuple[str, str] | None:
    entry = db.session.get(LogEntry, entry_id)
    if entry is None:
        return None
    return (_("Leerlogboek: %(title)s", title=entry.title),
            url_for("logbook.show", slug=entry.collaboration.slug, entry_id=entry.id))


register_target(bp, ThreadTarget(PlacementKind.LOG_ENTRY.value,
                                 services.thread_target_choices, _describe_entry))


@bp.app_template_global("log_entries_citing")
def log_entries_citing(item: RippleItem) -> list[LogEntry]:
    """Return the visible entries that cite ``item`` (for the item page)."""
    return services.entries_citing(current_access(), item=item)


@bp.app_template_global("log_entries_citing_workshop")
def log_entries_citing_workshop(workshop) -> list[LogEntry]:
    """Return the visible entries that cite ``workshop`` (for the session pages)."""
    return services.entries_citing(current_access(), workshop=workshop)


@bp.app_template_global("log_may_write")
def log_may_write(collaboration: Collaboration) -> bool:
    """Tell whether the signed-in person may add learning-log entries here."""
    return may_write(current_access(), collaboration)


@bp.app_template_filter("plain_excerpt")
def plain_excerpt(text: str | None, limit: int = 280) -> str:
    """Return Markdown ``text`` as plain text, cut to ``limit`` characters."""
    return plain_text(text, limit)


@bp.app_template_filter("entry_kind")
def entry_kind_label(kind: str) -> str:
    """Return the label of an entry kind."""
    return str(KIND_LABELS.get(kind, kind))


def _writable(slug: str) -> Collaboration:
    collaboration = collaboration_or_404(slug)
    if not may_write(current_access(), collaboration):
        abort(403)
    return collaboration


def _entry_or_404(collaboration: Collaboration, entry_id: int, *,
                  allow_deleted: bool = False) -> LogEntry:
    """Return a visible entry of this collaboration; anything else is 'not found'."""
    entry = db.session.get(LogEntry, entry_id)
    access = current_access()
    if entry is None or entry.collaboration_id != collaboration.id \
            or not sees_entry(access, entry):
        abort(404)
    if entry.deleted_at is not None and not (allow_deleted and may_edit(access, entry)):
        abort(404)
    return entry


def _entry_choices(collaboration: Collaboration, exclude: int | None) -> list[SelectChoice]:
    entries = db.session.scalars(
        sa.select(LogEntry).where(LogEntry.collaboration_id == collaboration.id,
                                  LogEntry.deleted_at.is_(None))
        .order_by(LogEntry.entry_date.desc(), LogEntry.id.desc())
    ).all()
    return [SelectChoice(e.id, f"{e.kind_label}: {e.title}") for e in entries if e.id != exclude]


def _workshop_choices(collaboration: Collaboration) -> list[SelectChoice]:

    workshops = db.session.scalars(
        sa.select(Workshop).where(Workshop.collaboration_id == collaboration.id)
        .order_by(Workshop.held_on.desc(), Workshop.id.desc())
    ).all()
    return [SelectChoice(s.id, f"{s.title} ({format_date(s.held_on)})") for s in workshops]


def _form(collaboration: Collaboration, entry: LogEntry | None = None) -> EntryForm:
    form = EntryForm(obj=entry)
    form.codes.choices = code_choices()
    form.items.choices = item_choices(collaboration)
    form.entries.choices = _entry_choices(collaboration, entry.id if entry else None)
    form.workshops.choices = _workshop_choices(collaboration)
    owners = services.owner_choices(collaboration)
    if entry is not None and entry.owner is not None and entry.owner not in owners:
        owners.append(entry.owner)
    form.owner_id.choices = [SelectChoice("", _("(nog niemand)"))] + [
        SelectChoice(str(u.id), u.display_name) for u in owners]
    if request.method == "GET":
        if entry is not None:
            form.codes.data = [c.id for c in entry.codes]
            form.items.data = [c.item_id for c in entry.citations if c.item_id]
            form.entries.data = [c.cited_entry_id for c in entry.citations if c.cited_entry_id]
            form.workshops.data = [c.session_id for c in entry.citations if c.session_id]
            form.owner_id.data = str(entry.owner_id or "")
            form.version.data = str(entry.version)
        else:
            form.entry_date.data = date.today()
            kind = request.args.get("kind", "")
            if kind in {k.value for k in EntryKind}:
                form.kind.data = kind
            cite = request.args.get("cite", "")
            if cite.isdigit() and int(cite) in {c.value for c in form.items.choices}:
                form.items.data = [int(cite)]
            workshop = request.args.get("session", "")
            if workshop.isdigit() and int(workshop) in {c.value for c in form.workshops.choices}:
                form.workshops.data = [int(workshop)]
            about = request.args.get("about", "")
            if about.isdigit() and int(about) in {c.value for c in form.entries.choices}:
                form.entries.data = [int(about)]
    return form


def _input(form: EntryForm, sharing: bool) -> services.EntryInput:
    owner = form.owner_id.data or ""
    return services.EntryInput(
        kind=form.kind.data or "",
        title=form.title.data or "",
        entry_date=form.entry_date.data,
        body=form.body.data or "",
        visibility=form.visibility.data if sharing else None,
        owner_id=int(owner) if owner.isdigit() else None,
        due_date=form.due_date.data,
        code_ids=list(form.codes.data or []),
        item_ids=list(form.items.data or []),
        entry_ids=list(form.entries.data or []),
        workshop_ids=list(form.workshops.data or []),
    )


def _render_form(collaboration, form, entry=None, conflict=None, status=200):
    return render_template(
        "logbook/form.html", collaboration=collaboration, form=form, entry=entry,
        conflict=conflict, codebooks=all_codebooks(), prompts=PROMPTS, hints=KIND_HINTS,
        can_share=may_share(current_access(), collaboration)), status


@bp.get("/collaborations/<slug>/log")
def index(slug: str):
    """Show the collaboration's learning log, newest first, with a filter on kind."""
    collaboration = collaboration_or_404(slug)
    access = current_access()
    kind = request.args.get("kind", "")
    if kind not in {k.value for k in EntryKind}:
        kind = ""
    entries = services.load_entries(collaboration, access, kind=kind or None)
    return render_template(
        "logbook/index.html", collaboration=collaboration, entries=entries, kind=kind,
        plurals=KIND_PLURALS, counts=services.kind_counts(collaboration, access),
        prompts=PROMPTS, can_write=may_write(access, collaboration),
        reads_all=access.reads_all_of(collaboration),
        open_actions=services.open_actions(access, [collaboration.id]),
    )


@bp.route("/collaborations/<slug>/log/new", methods=["GET", "POST"])
def new(slug: str):
    """Add an entry to the learning log."""
    collaboration = _writable(slug)
    form = _form(collaboration)
    if form.validate_on_submit():
        with saving(services.LogError) as saved:
            entry = services.create_entry(
                collaboration, _input(form, may_share(current_access(), collaboration)))
            saved.flash(_("Opgeslagen in het leerlogboek: “%(title)s”.", title=entry.title))
        if saved:
            return redirect(url_for("logbook.show", slug=slug, entry_id=entry.id))
    return _render_form(collaboration, form)


@bp.get("/collaborations/<slug>/log/<int:entry_id>")
def show(slug: str, entry_id: int):
    """Show one entry, what it cites, what cites it, and its history."""
    collaboration = collaboration_or_404(slug)
    entry = _entry_or_404(collaboration, entry_id, allow_deleted=True)
    access = current_access()
    citations, hidden = services.visible_citations(entry, access)
    history = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity_type == services.ENTITY,
                                    AuditEvent.entity_id == entry.id)
        .order_by(AuditEvent.at.desc()).options(orm.joinedload(AuditEvent.user))
    ).all() if access.reads_all_of(collaboration) else []

    return render_template(
        "logbook/show.html", collaboration=collaboration, entry=entry, citations=citations,
        threads=placed_threads("log_entry", entry.id, access),
        hidden_citations=hidden, cited_by=services.entries_citing(access, entry=entry),
        can_edit=may_edit(access, entry), can_mark=may_mark_done(access, entry),
        can_write=may_write(access, collaboration),
        reads_all=access.reads_all_of(collaboration), history=history,
        button_form=EmptyForm(), done_form=DoneForm(),
    )


@bp.route("/collaborations/<slug>/log/<int:entry_id>/edit", methods=["GET", "POST"])
def edit(slug: str, entry_id: int):
    """Change an entry; a save over someone else's newer save is refused and both shown."""
    collaboration = collaboration_or_404(slug)
    entry = _entry_or_404(collaboration, entry_id)
    access = current_access()
    if not may_edit(access, entry):
        abort(403)
    form = _form(collaboration, entry)
    conflict = None
    if form.validate_on_submit():
        with saving(services.LogError, silent=(services.EditConflict,)) as saved:
            services.update_entry(entry, _input(form, may_share(access, collaboration)),
                                  int(form.version.data or 0))
            saved.flash(_("De wijzigingen zijn opgeslagen."))
        if saved:
            return redirect(url_for("logbook.show", slug=slug, entry_id=entry.id))
        if isinstance(saved.error, services.EditConflict):
            conflict = saved.error
            form.version.data = str(entry.version)
    return _render_form(collaboration, form, entry, conflict, 409 if conflict else 200)


@bp.route("/collaborations/<slug>/log/<int:entry_id>/delete", methods=["GET", "POST"])
def delete(slug: str, entry_id: int):
    """Ask first, then move the entry to the bin."""
    collaboration = collaboration_or_404(slug)
    entry = _entry_or_404(collaboration, entry_id)
    if not may_edit(current_access(), entry):
        abort(403)
    form = EmptyForm()
    if form.validate_on_submit():
        services.delete_entry(entry)
        db.session.commit()
        flash(_("“%(title)s” staat nu in de prullenbak van het logboek. U kunt het daar "
                "terugzetten.", title=entry.title), "success")
        return redirect(url_for("logbook.index", slug=slug))
    return render_template("logbook/delete.html", collaboration=collaboration, entry=entry,
                           form=form,
                           cited_by=services.entries_citing(current_access(), entry=entry))


@bp.post("/collaborations/<slug>/log/<int:entry_id>/restore")
def restore(slug: str, entry_id: int):
    """Take an entry out of the bin."""
    collaboration = collaboration_or_404(slug)
    entry = _entry_or_404(collaboration, entry_id, allow_deleted=True)
    if not may_edit(current_access(), entry):
        abort(403)
    if EmptyForm().validate_on_submit():
        services.restore_entry(entry)
        db.session.commit()
        flash(_("“%(title)s” staat weer in het logboek.", title=entry.title), "success")
    return redirect(url_for("logbook.show", slug=slug, entry_id=entry.id))


@bp.post("/collaborations/<slug>/log/<int:entry_id>/done")
def done(slug: str, entry_id: int):
    """Mark an action done (done=1) or open again (done=0)."""
    collaboration = collaboration_or_404(slug)
    entry = _entry_or_404(collaboration, entry_id)
    if not may_mark_done(current_access(), entry):
        abort(403)
    form = DoneForm()
    if form.validate_on_submit():
        want = form.done.data != "0"
        with saving(services.LogError) as saved:
            changed = services.set_done(entry, want)
        if saved and changed:
            flash(_("“%(title)s” is klaar. Goed gedaan!", title=entry.title) if want
                  else _("“%(title)s” staat weer open.", title=entry.title), "success")
    back = form.back.data or ""
    if back.startswith("/") and not back.startswith("//") and "\\" not in back:
        return redirect(back)
    return redirect(url_for("logbook.show", slug=slug, entry_id=entry.id))


@bp.get("/collaborations/<slug>/log/bin")
def bin(slug: str):
    """List the deleted entries this person may restore."""
    collaboration = _writable(slug)
    access = current_access()
    entries = [e for e in services.load_entries(collaboration, access, deleted=True)
               if may_edit(access, e)]
    return render_template("logbook/bin.html", collaboration=collaboration, entries=entries,
                           form=EmptyForm())


@bp.get("/collaborations/<slug>/log/actions")
def actions(slug: str):
    """Show the collaboration's open actions, earliest due date first."""
    collaboration = collaboration_or_404(slug)
    access = current_access()
    return render_template(
        "logbook/actions.html", collaboration=collaboration,
        actions=services.open_actions(access, [collaboration.id]),
        can_write=may_write(access, collaboration), done_form=DoneForm(),
        may_mark=lambda e: may_mark_done(access, e), today=_today(),
    )


@bp.get("/actions")
def all_actions():
    """Show the open actions in every collaboration this person can see."""
    access = current_access()
    mine = request.args.get("mine") == "1"
    actions = services.open_actions(access, owner_id=access.user_id if mine else None)
    groups: dict[int, tuple[Collaboration, list[LogEntry]]] = {}
    for action in actions:
        groups.setdefault(action.collaboration_id, (action.collaboration, []))[1].append(action)
    ordered = sorted(groups.values(), key=lambda g: (g[0].hub.name, g[0].name))
    return render_template(
        "logbook/all_actions.html", groups=ordered, total=len(actions), mine=mine,
        done_form=DoneForm(), may_mark=lambda e: may_mark_done(access, e), today=_today(),
    )


def _today() -> date:
    return date.today()


@bp.get("/search")
def search():
    """Search the learning logs, activities and effects this person may see."""
    access = current_access()
    query, messages = search_service.parse_args(request.args)
    collaboration = None
    slug = request.args.get("collaboration", "").strip()
    if slug:
        collaboration = db.session.scalar(
            sa.select(Collaboration).where(Collaboration.slug == slug[:80]))
        if collaboration is None:
            messages.append(_("Dit samenwerkingsverband bestaat niet; u zoekt overal."))
        else:
            query.collaboration_ids = [collaboration.id]
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and len(page) < 4 else 1
    result = search_service.search(query, access, page=page) if query.active else None
    authors = search_service.author_choices(access)
    if query.author_id is not None and query.author_id not in {u.id for u in authors}:
        messages.append(_("U kunt alleen zoeken op mensen uit samenwerkingsverbanden waar u "
                          "alles van ziet; dit filter is genegeerd."))
        query.author_id = None
        result = search_service.search(query, access, page=page) if query.active else None
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    return render_template(
        "logbook/search.html", query=query, result=result, messages=messages,
        collaboration=collaboration, hub_choices=collaborations_by_hub(),
        codebooks=all_codebooks(),
        authors=authors, kinds=_kind_options(),
        page_url=lambda number: url_for("logbook.search", page=number, **args),
    )


def _kind_options() -> list[tuple[str, str]]:
    return [("activity", _("Activiteiten")), ("effect", _("Effecten"))] + [
        (k.value, str(KIND_PLURALS[k])) for k in EntryKind]

