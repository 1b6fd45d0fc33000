"""The help page."""

from flask import Blueprint, render_template

from rem.codes.services import all_codebooks
from rem.core.pagecache import cached_page

bp = Blueprint("help", __name__, url_prefix="/help")


@bp.get("/")
@cached_page
def index():
    """Explain the method, the words and every code."""
    return render_template("help/index.html", codebooks=all_codebooks())
