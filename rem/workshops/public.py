"""The participants' pages: join with a code and send stories, from a phone, without an account.

These endpoints are in ``rem.web.PUBLIC_ENDPOINTS``. What keeps them safe:
- CSRF applies as everywhere (the participant gets a session cookie with the form);
- sizes and choices are checked in :mod:`rem.workshops.services`; stories are shown
  as plain text everywhere (autoescaped, never through Markdown);
- rate limits per address, per participant and per session (all counted in the
  app's database, so every app process counts together), and a tight limit on
  unknown codes, so that codes cannot be guessed;
- a double tap sends one story: every form carries a fresh idempotency key.
"""

from __future__ import annotations

import secrets

from flask import (
    Blueprint,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as cookie
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError

from rem.extensions import db, limiter
from rem.workshops import services
from rem.workshops.forms import JoinForm, ParticipantForm, StoryForm
from rem.workshops.models import Workshop, WorkshopParticipant

bp = Blueprint("join", __name__)

PARTICIPANTS = "rem_join"  # in the signed session cookie: {code: participant id}
REMEMBER_SESSIONS = 10
RECENT_KEYS = 30

DEFAULT_LIMITS = {
    # Wrong or unknown codes per address: enough for typos, far too few to guess a code.
    "REM_JOIN_LIMIT_GUESSES": "40 per 10 minutes",
    # Joining per address: a whole room may sit behind one wifi address.
    "REM_JOIN_LIMIT_ADDRESS": "120 per minute",
    # Stories per address (the same room), per participant, and per session.
    "REM_STORY_LIMIT_ADDRESS": "300 per minute",
    "REM_STORY_LIMIT_PARTICIPANT": "12 per minute; 120 per hour",
    "REM_STORY_LIMIT_SESSION": "1000 per hour",
}


def _limit(name: str):
    """Return the configured limit ``name`` (read at request time, so tests can change it)."""
    return lambda: current_app.config.get(name) or DEFAULT_LIMITS[name]


def _code_arg() -> str:
    return services.normalise_code((request.view_args or {}).get("code"))


def _address_key() -> str:
    return "join:address:" + get_remote_address()


def _participant_key() -> str:
    code = _code_arg()
    participant_id = (cookie.get(PARTICIPANTS) or {}).get(code)
    if participant_id:
        return f"join:participant:{code}:{participant_id}"
    return _address_key()


def _workshop_key() -> str:
    return "join:session:" + _code_arg()


def _bad_code_seen(_response) -> bool:
    """Count a request against the guessing limit only when its code was unknown."""
    return bool(g.get("rem_unknown_code"))


guess_limit = limiter.shared_limit(_limit("REM_JOIN_LIMIT_GUESSES"), scope="join-guess",
                                   key_func=_address_key, deduct_when=_bad_code_seen)


def _participant(workshop: Workshop) -> WorkshopParticipant | None:
    participant_id = (cookie.get(PARTICIPANTS) or {}).get(workshop.code)
    if not isinstance(participant_id, int):
        return None
    participant = db.session.get(WorkshopParticipant, participant_id)
    if participant is None or participant.session_id != workshop.id:
        return None
    return participant


def _remember(workshop: Workshop, participant: WorkshopParticipant) -> None:
    known = dict(cookie.get(PARTICIPANTS) or {})
    known.pop(workshop.code, None)
    known[workshop.code] = participant.id
    cookie[PARTICIPANTS] = dict(list(known.items())[-REMEMBER_SESSIONS:])


def _problem(problem: str, status: int, workshop: Workshop | None = None,
             code: str = ""):
    return render_template("workshops/join_problem.html", problem=problem, workshop=workshop,
                           code=code), status


def _open_workshop(code: str):
    """Return (session, None) for an open session, or (None, a friendly problem page)."""
    workshop = services.workshop_by_code(code)
    if workshop is None:
        g.rem_unknown_code = True
        return None, _problem("unknown", 404, code=services.normalise_code(code)[:8])
    if not workshop.is_open:
        return None, _problem("closed", 410, workshop=workshop, code=workshop.code)
    return workshop, None


MAX_REQUEST_BYTES = 64 * 1024  # a story is at most 2,000 characters


@bp.url_value_preprocessor
def small_requests_only(_endpoint, _values):
    """Refuse large bodies before anything reads them (this runs before every
    before_request hook, CSRF included): nobody needs more for one story."""
    request.max_content_length = MAX_REQUEST_BYTES


@bp.errorhandler(413)
def too_large(_error):
    """A body far larger than any story."""
    return _problem("large", 413, code=_code_arg())


@bp.errorhandler(429)
def too_many(_error):
    """Ask to wait, in the participants' own layout."""
    return _problem("slow", 429)


@bp.errorhandler(CSRFError)
def expired(_error):
    """The form was too old or the cookie was lost: the text is still on the phone."""
    code = _code_arg()
    return _problem("expired", 400, code=code)


@bp.route("/join", methods=["GET", "POST"])
@guess_limit
@limiter.limit(_limit("REM_JOIN_LIMIT_ADDRESS"), methods=["POST"], key_func=_address_key)
def start():
    """Type the code from the screen."""
    form = JoinForm()
    if form.validate_on_submit():
        workshop = services.workshop_by_code(form.code.data)
        if workshop is not None:
            return redirect(url_for("join.participant", code=workshop.code))
        g.rem_unknown_code = True
        form.code.errors.append(_("Deze code kennen we niet. Kijk nog eens op het scherm. "
                                  "In de code staan geen 0, O, 1 of I."))
    return render_template("workshops/join.html", form=form)


@bp.route("/join/<code>", methods=["GET", "POST"])
@guess_limit
@limiter.limit(_limit("REM_JOIN_LIMIT_ADDRESS"), methods=["POST"], key_func=_address_key)
def participant(code: str):
    """Say who you are (a first name, or nobody) and start."""
    workshop, problem = _open_workshop(code)
    if problem:
        return problem
    if code != workshop.code:
        return redirect(url_for("join.participant", code=workshop.code))
    if request.method == "GET" and _participant(workshop) is not None:
        return redirect(url_for("join.story", code=workshop.code))
    form = ParticipantForm()
    if form.validate_on_submit():
        try:
            person = services.join_workshop(workshop, form.first_name.data or "",
                                           form.role.data or None)
        except services.WorkshopError as exc:
            db.session.rollback()
            form.first_name.errors.append(str(exc))
        else:
            db.session.commit()
            _remember(workshop, person)
            return redirect(url_for("join.story", code=workshop.code))
    return render_template("workshops/join_welcome.html", form=form, workshop=workshop)


@bp.route("/join/<code>/story", methods=["GET", "POST"])
@guess_limit
@limiter.limit(_limit("REM_STORY_LIMIT_ADDRESS"), methods=["POST"], key_func=_address_key)
@limiter.limit(_limit("REM_STORY_LIMIT_PARTICIPANT"), methods=["POST"],
               key_func=_participant_key)
@limiter.limit(_limit("REM_STORY_LIMIT_SESSION"), methods=["POST"], key_func=_workshop_key)
def story(code: str):
    """Tell a story: what changed, for whom, roughly when, and how it was."""
    workshop, problem = _open_workshop(code)
    if problem:
        return problem
    person = _participant(workshop)
    if person is None or code != workshop.code:
        return redirect(url_for("join.participant", code=workshop.code))
    options = services.link_options(workshop)
    form = StoryForm(link_options=options)
    problems: list[str] = []
    if form.validate_on_submit():
        chosen = form.grew_from.data or ""
        data = services.StoryInput(
            text=form.text.data or "",
            for_whom=form.for_whom.data or "",
            when=form.fuzzy_date(),
            intended={"yes": True, "no": False}.get(form.intended.data or ""),
            valence=form.valence.data if form.valence.data in (
                "positive", "negative", "mixed") else None,
            grew_from_id=int(chosen) if chosen.isdigit() else None,
        )
        try:
            sent, _created = services.submit_story(workshop, person, data, form.key.data or "")
        except services.WorkshopError as exc:
            db.session.rollback()
            problems.append(str(exc))
        else:
            # Read before the commit, which expires them (reading after it loads both
            # rows again: two statements for nothing).
            target = url_for("join.story", code=workshop.code, sent=sent.idempotency_key)
            db.session.commit()
            return redirect(target)
    elif request.method == "POST":
        problems.append(_("Er ontbreekt nog iets. Kijk bij de rode tekst hieronder."))
    if request.method == "GET" or not services.valid_key(form.key.data):
        form.key.data = secrets.token_urlsafe(18)
    sent_key = request.args.get("sent", "") if request.method == "GET" else ""
    # The participant's own stories, so that after a reload (the answer to a send can be
    # lost on a weak connection) the phone shows that the story arrived.
    own = services.stories_by(person)
    keys = [s.idempotency_key for s in own[:RECENT_KEYS]]
    if sent_key not in keys:
        sent_key = ""
    return render_template("workshops/join_story.html", form=form, workshop=workshop,
                           person=person, options=options, problems=problems,
                           sent_key=sent_key, received_keys=keys, story_count=len(own),
                           own_stories=own)
