"""The help page."""

from flask import Blueprint, render_template

from rem.codes.services import all_codebooks

bp = Blueprint("help", __name__, url_prefix="/help")


@bp.get("/")
def index():
    """Explain the method, the words and every code."""
    return render_template("help/index.html", codebooks=all_codebooks())
