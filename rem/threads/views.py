"""Story-thread pages: the list, picking a path, one thread, editing, the bin, placing."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from rem.access import Access, current_access
from rem.access import threads as thread_access
from rem.access.routes import collaboration_route
from rem.analysis import reach
from rem.analysis.scope import Scope
from rem.collaborations.models import Collaboration
from rem.core.forms import EmptyForm
from rem.core.http import saving
from rem.extensions import db
from rem.ripples.models import RippleItem
from rem.threads import services as threads
from rem.threads.models import PlacementKind, StoryThread, ThreadPlacement
from rem.threads.targets import targets

bp = Blueprint("threads", __name__)

def _thread_or_404(collaboration: Collaboration, thread_id: int) -> StoryThread:
    thread = db.session.get(StoryThread, thread_id)
    if thread is None or thread.collaboration_id != collaboration.id:
        abort(404)
    return thread


def _path_args() -> list[int]:
    ids = []
    for raw in request.values.getlist("path")[:40]:
        if raw.strip().isdigit() and len(raw.strip()) < 12:
            ids.append(int(raw.strip()))
    return ids


@bp.get("/collaborations/<slug>/threads")
@collaboration_route(Access.reads_all_of)
def index(collaboration: Collaboration):
    """List the collaboration's story threads (and, for editors, the binned ones)."""
    access = current_access()
    return render_template(
        "threads/index.html", collaboration=collaboration,
        threads=threads.threads_of(collaboration),
        binned=threads.threads_of(collaboration, deleted=True) if access.edits(collaboration)
        else [],
        can_write=thread_access.may_write(access, collaboration), button_form=EmptyForm())


@bp.route("/collaborations/<slug>/threads/new", methods=["GET", "POST"])
@collaboration_route(thread_access.may_write)
def new(collaboration: Collaboration):
    """Pick a path step by step (plain links), then save it as a thread."""
    access = current_access()
    path = _path_args()
    problem = None
    items: list[RippleItem] = []
    form = EmptyForm()
    title = request.form.get("title", "")[:400]
    if request.method == "POST" and form.validate_on_submit():
        with saving(silent=(threads.ThreadError,)) as saved:
            thread = threads.create_thread(collaboration, title, path, access)
            saved.flash(_("Het verhaal is opgeslagen. U kunt de tekst nu aanpassen."))
        if saved:
            return redirect(url_for("threads.edit", slug=collaboration.slug, thread_id=thread.id))
        problem = str(saved.error)
    elif request.method == "POST":
        abort(400)
    if path:
        try:
            items = threads.check_path(collaboration, path, access)
        except threads.ThreadError as exc:
            problem = problem or str(exc)
            path, items = [], []
    options = threads.next_options(collaboration, path[-1], access) if path else []
    activities = [] if path else threads.start_options(collaboration, access)
    if not title and items:
        title = _("Van “%(first)s” tot “%(last)s”", first=items[0].title,
                  last=items[-1].title)[:200]
    return render_template(
        "threads/new.html", collaboration=collaboration, path=path, items=items,
        options=options, activities=activities, problem=problem, form=form, title=title,
        preview=[threads.narrative(item, first=index == 0) for index, item in enumerate(items)])


@bp.get("/collaborations/<slug>/threads/longest")
@collaboration_route(thread_access.may_write)
def longest(collaboration: Collaboration):
    """Propose the longest chain that grew from one activity as a new thread's path."""
    access = current_access()
    raw = request.args.get("activity", "").strip()
    scope = Scope(collaboration.name, [collaboration], access)
    activities, _links, _orders = scope.graph()
    if not raw.isdigit() or int(raw) not in set(activities):
        flash(_("Kies een activiteit uit de lijst om de langste keten te zien."), "warning")
        return redirect(url_for("analysis.influence", slug=collaboration.slug))
    return redirect(url_for("threads.new", slug=collaboration.slug,
                            path=reach.longest_path(scope, int(raw))))


def _placement_choices(thread: StoryThread) -> list[tuple[str, str]]:
    """Return the targets this person may place the thread in: "kind:id" and a label."""
    access = current_access()
    return [(f"{kind}:{target_id}", label) for kind, target in targets().items()
            for target_id, label in target.choices(access, thread)]


def _frozen(placement: ThreadPlacement) -> bool:
    """Tell whether the placement may no longer be taken out (an adopted review)."""
    target = targets().get(placement.target_kind)
    return target is not None and target.frozen(placement.target_id)


def _placement_label(placement: ThreadPlacement) -> tuple[str, str | None]:
    target = targets().get(placement.target_kind)
    found = target.describe(placement.target_id) if target is not None else None
    return found if found is not None else (_("(niet meer te vinden)"), None)


@bp.get("/collaborations/<slug>/threads/<int:thread_id>")
@collaboration_route()
def show(collaboration: Collaboration, thread_id: int):
    """Show one thread with its evidence, and where it is placed."""
    thread = _thread_or_404(collaboration, thread_id)
    access = current_access()
    if not thread_access.may_read(access, thread):
        abort(403)
    can_edit = thread_access.may_edit(access, thread)
    placements = [(p, *_placement_label(p)) for p in threads.placements_of(thread)]
    return render_template(
        "threads/show.html", collaboration=collaboration, thread=thread,
        steps=threads.resolve(thread, access), can_edit=can_edit, placements=placements,
        choices=_placement_choices(thread) if can_edit and not thread.is_deleted else [],
        button_form=EmptyForm())


@bp.route("/collaborations/<slug>/threads/<int:thread_id>/edit", methods=["GET", "POST"])
@collaboration_route()
def edit(collaboration: Collaboration, thread_id: int):
    """Change the title and the words of each step."""
    thread = _thread_or_404(collaboration, thread_id)
    access = current_access()
    if not thread_access.may_edit(access, thread) or thread.is_deleted:
        abort(403 if not thread_access.may_edit(access, thread) else 404)
    form = EmptyForm()
    problem = None
    title = thread.title
    texts = [step.text for step in thread.steps]
    version = thread.version
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        title = request.form.get("title", "")[:400]
        texts = [request.form.get(f"step-{index}", "")[:4000]
                 for index in range(len(thread.steps))]
        raw_version = request.form.get("version", "")
        seen = int(raw_version) if raw_version.isdigit() else version
        if not raw_version:
            title = title or thread.title
            texts = [t or s.text for t, s in zip(texts, thread.steps, strict=True)]
        with saving(silent=(threads.ThreadError,)) as saved:
            threads.update_thread(thread, title, texts, seen)
            saved.flash(_("Het verhaal is opgeslagen."))
        if saved:
            return redirect(url_for("threads.show", slug=collaboration.slug, thread_id=thread.id))
        problem = str(saved.error)
        version = thread.version
    return render_template("threads/edit.html", collaboration=collaboration,
                           thread=thread, steps=threads.resolve(thread, access), title=title,
                           texts=texts, version=version, problem=problem, form=form)


def _thread_post(collaboration: Collaboration, thread_id: int) -> StoryThread:
    thread = _thread_or_404(collaboration, thread_id)
    if not thread_access.may_edit(current_access(), thread):
        abort(403)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return thread


@bp.post("/collaborations/<slug>/threads/<int:thread_id>/delete")
@collaboration_route()
def delete(collaboration: Collaboration, thread_id: int):
    """Move a thread to the bin."""
    thread = _thread_post(collaboration, thread_id)
    threads.delete_thread(thread)
    db.session.commit()
    flash(_("Het verhaal staat in de prullenbak. U kunt het terugzetten."), "success")
    return redirect(url_for("threads.index", slug=collaboration.slug))


@bp.post("/collaborations/<slug>/threads/<int:thread_id>/restore")
@collaboration_route()
def restore(collaboration: Collaboration, thread_id: int):
    """Take a thread out of the bin."""
    thread = _thread_post(collaboration, thread_id)
    threads.restore_thread(thread)
    db.session.commit()
    flash(_("Het verhaal is teruggezet."), "success")
    return redirect(url_for("threads.show", slug=collaboration.slug, thread_id=thread.id))


@bp.post("/collaborations/<slug>/threads/<int:thread_id>/place")
@collaboration_route()
def place(collaboration: Collaboration, thread_id: int):
    """Place a thread in a learning-log entry, an exchange pack or a draft review."""
    thread = _thread_post(collaboration, thread_id)
    target = request.form.get("target", "")
    if thread.is_deleted or target not in dict(_placement_choices(thread)):
        flash(_("Kies waar het verhaal moet komen."), "warning")
        return redirect(url_for("threads.show", slug=collaboration.slug, thread_id=thread.id))
    kind, _sep, target_id = target.partition(":")
    if threads.place(thread, PlacementKind(kind), int(target_id)):
        db.session.commit()
        flash(_("Het verhaal staat er nu in."), "success")
    else:
        flash(_("Het verhaal stond daar al."), "info")
    return redirect(url_for("threads.show", slug=collaboration.slug, thread_id=thread.id))


@bp.post("/collaborations/<slug>/threads/<int:thread_id>/placements/<int:placement_id>/remove")
@collaboration_route()
def unplace(collaboration: Collaboration, thread_id: int, placement_id: int):
    """Take a thread out of an entry or a pack (the thread itself stays)."""
    thread = _thread_post(collaboration, thread_id)
    placement = db.session.get(ThreadPlacement, placement_id)
    if placement is None or placement.thread_id != thread.id:
        abort(404)
    if _frozen(placement):
        flash(_("Deze review is vastgesteld: het verslag verandert niet meer. Maak een nieuwe "
                "versie van de review om het verhaal weg te halen."), "warning")
        return redirect(url_for("threads.show", slug=collaboration.slug, thread_id=thread.id))
    threads.unplace(placement)
    db.session.commit()
    flash(_("Het verhaal is daar weggehaald."), "success")
    return redirect(url_for("threads.show", slug=collaboration.slug, thread_id=thread.id))
