"""Pages for codebooks: read them all, add your own."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from rem.access import Access, current_access
from rem.codes.forms import CodebookForm, CodeForm
from rem.codes.models import Codebook
from rem.codes.services import (
    CodebookError,
    add_code,
    all_codebooks,
    codebook_by_slug,
    create_codebook,
)
from rem.extensions import db

bp = Blueprint("codes", __name__, url_prefix="/codebooks")


def _may_create(access: Access) -> bool:
    return access.is_admin or bool(access.facilitated or access.coordinated_hubs)


def _may_extend(access: Access, book: Codebook) -> bool:
    if access.is_admin:
        return True
    return not book.builtin and book.created_by_id == access.user_id


@bp.get("/")
def index():
    """List every codebook and its codes, with explanations."""
    access = current_access()
    books = all_codebooks()
    return render_template("codes/index.html", codebooks=books,
                           can_create=_may_create(access),
                           extendable={b.id for b in books if _may_extend(access, b)})


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Add a codebook of one's own."""
    access = current_access()
    if not _may_create(access):
        abort(403)
    form = CodebookForm()
    if form.validate_on_submit():
        try:
            book = create_codebook(form.name.data, form.description.data or "",
                                   created_by_id=access.user_id)
        except CodebookError as exc:
            form.name.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Het codeboek is aangemaakt. Voeg nu codes toe."), "success")
            return redirect(url_for("codes.show", slug=book.slug))
    return render_template("codes/form.html", form=form)


@bp.route("/<slug>", methods=["GET", "POST"])
def show(slug: str):
    """Show one codebook; its owner (or an administrator) may add codes."""
    book = codebook_by_slug(slug)
    if book is None:
        abort(404)
    access = current_access()
    may_extend = _may_extend(access, book)
    if request.method == "POST" and not may_extend:
        abort(403)
    form = CodeForm() if may_extend else None
    if form is not None and form.validate_on_submit():
        try:
            add_code(book, form.name.data, form.description.data or "")
        except CodebookError as exc:
            form.name.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("De code is toegevoegd."), "success")
            return redirect(url_for("codes.show", slug=book.slug))
    return render_template("codes/show.html", book=book, form=form)
