"""The interface speaks Dutch and English: the English catalogue is complete and up to date,
and the templates hold no text outside ``_()``.

When a test here fails after you added or changed text:

1. wrap new visible template text in ``{{ _("...") }}`` and Python strings in ``_()``/``_l()``;
2. run ``scripts/update-translations.sh`` (re-extracts and updates the catalogue);
3. fill in the English ``msgstr`` for every new or ``#, fuzzy`` entry in
   ``rem/translations/en/LC_MESSAGES/messages.po`` (and drop the ``#, fuzzy`` line).
"""

from __future__ import annotations

import ast
import os
import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.conftest import post

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "rem" / "translations"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
TEMPLATES = ROOT / "templates"
HOW_TO_FIX = ("Run scripts/update-translations.sh, then translate in "
              "rem/translations/en/LC_MESSAGES/messages.po.")

# The same keywords as scripts/update-translations.sh (pybabel's defaults plus Flask-Babel's
# lazy variants).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}

# Words that are the same in every language, so they may stand outside _(): the app's name,
# the names of the two languages in the language switch (each written in its own language),
# and names of file formats and programs.
ALLOWED_TEXT = {
    "rem", "English", "Nederlands",
    "SVG", "PNG", "PDF", "DOT", "JSON", "CSV", "XLSX", "GraphML", "RippleFX",
}

# Attributes people see or hear (data-confirm and data-copied are shown by static/js/app.js,
# data-busy by static/js/busy.js);
# others (class, href, hidden values...) are not read. A button's value counts too.
VISIBLE_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "data-confirm", "data-copied",
                      "data-busy"}
BUTTON_TYPES = {"submit", "button", "reset"}

# Content that is not prose: scripts, styles and literal code or keys.
SKIPPED_ELEMENTS = {"script", "style", "code", "pre", "kbd", "samp"}

PLACEHOLDER_RE = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[a-z]|\{\w*\}")


def _read_english():
    with EN_PO.open("rb") as fileobj:
        return read_po(fileobj)


def _where(message) -> str:
    return ", ".join(f"{path}:{line}" for path, line in message.locations[:3]) or "?"


def _strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def test_every_english_entry_is_translated_and_not_fuzzy():
    problems = []
    for message in _read_english():
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy (check and remove '#, fuzzy'): {message.id!r} "
                            f"[{_where(message)}]")
        elif not all(_strings(message)):
            problems.append(f"no English yet: {message.id!r} [{_where(message)}]")
    assert not problems, (f"{len(problems)} entries in {EN_PO.relative_to(ROOT)} need work:\n"
                          + "\n".join(problems))


def test_english_keeps_every_placeholder():
    problems = []
    catalog = _read_english()
    for message in catalog:
        if not message.id or message.fuzzy or not all(_strings(message)):
            continue  # reported by the test above
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(PLACEHOLDER_RE.findall("".join(ids)))
        for string in _strings(message):
            found = set(PLACEHOLDER_RE.findall(string))
            if found != wanted:
                problems.append(f"{message.id!r} -> {string!r}: placeholders "
                                f"{sorted(found)} instead of {sorted(wanted)} [{_where(message)}]")
            # Jinja always applies `%` to translated text, so a lone % must be written %%.
            if "%" in PLACEHOLDER_RE.sub("", string).replace("%%", ""):
                problems.append(f"{message.id!r} -> {string!r}: write a lone % as %% "
                                f"[{_where(message)}]")
    for message, errors in catalog.check():
        if not message.fuzzy:
            problems += [f"{message.id!r}: {error} [{_where(message)}]" for error in errors]
    assert not problems, "\n".join(problems)


def _extract_sources() -> dict[str, list[str]]:
    """Extract msgids from the sources as pybabel does with babel.cfg; msgid -> places."""
    with (ROOT / "babel.cfg").open() as fileobj:
        method_map, options_map = parse_mapping_cfg(fileobj)
    tops = {pattern.split("/", 1)[0] for pattern, _method in method_map}

    def only_mapped_folders(dirpath: str) -> bool:
        relative = Path(dirpath).relative_to(ROOT)
        return relative == Path(".") or relative.parts[0] in tops

    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS,
        directory_filter=only_mapped_folders,
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def test_catalogue_is_up_to_date_with_the_sources():
    in_sources = _extract_sources()
    assert len(in_sources) > 100, "extraction found almost nothing; is babel.cfg right?"
    catalog = _read_english()
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    missing = sorted(set(in_sources) - known)
    assert not missing, (
        f"{len(missing)} strings in the code are not in {EN_PO.relative_to(ROOT)}. "
        f"{HOW_TO_FIX}\n"
        + "\n".join(f"{msgid!r} [{', '.join(in_sources[msgid][:3])}]" for msgid in missing)
    )


JINJA_RE = re.compile(r"{#.*?#}|{%-?\s*trans\b.*?endtrans\s*-?%}|{%.*?%}|{{.*?}}", re.S)


def _strip_jinja(source: str) -> str:
    """Replace every Jinja comment, statement and expression by a space, keeping the lines
    (and by a made-up name where it names a tag, as in ``<{{ heading }}>``)."""

    def blank(match: re.Match) -> str:
        in_tag_name = source[:match.start()].endswith(("<", "</"))
        return ("x-jinja" if in_tag_name else " ") + "\n" * match.group(0).count("\n")

    return JINJA_RE.sub(blank, source)


class _VisibleText(HTMLParser):
    """Collect text nodes and visible attribute values, with their line numbers."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str, str]] = []  # (line, "title=" or "", text)
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.handle_startendtag(tag, attrs)
        if tag in SKIPPED_ELEMENTS:
            self.skipping.append(tag)

    def handle_startendtag(self, tag, attrs):
        is_button = tag == "input" and dict(attrs).get("type") in BUTTON_TYPES
        for name, value in attrs:
            if (name in VISIBLE_ATTRIBUTES or (is_button and name == "value")) and value \
                    and value.strip():
                self.found.append((self.getpos()[0], f"{name}=", value.strip()))

    def handle_endtag(self, tag):
        if tag in self.skipping:
            while self.skipping and self.skipping.pop() != tag:
                pass

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.found.append((self.getpos()[0], "", data.strip()))


def _untranslated(text: str) -> bool:
    """True when ``text`` holds a word that is neither allowed nor just a value."""
    words = re.findall(r"[^\W\d_]+", text)
    return any(word not in ALLOWED_TEXT for word in words)


def _template_problems() -> list[str]:
    problems = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        parser = _VisibleText()
        parser.feed(_strip_jinja(path.read_text(encoding="utf-8")))
        parser.close()
        for line, attribute, text in parser.found:
            if _untranslated(text):
                problems.append(f"{path.relative_to(ROOT)}:{line}: {attribute}{text!r}")
    return problems


def test_templates_hold_no_untranslated_text():
    problems = _template_problems()
    assert not problems, (
        f"{len(problems)} bits of visible template text are not wrapped in {{{{ _(\"...\") }}}} "
        "(allowed as is: " + ", ".join(sorted(ALLOWED_TEXT)) + "):\n" + "\n".join(problems)
    )


def test_the_template_check_sees_text():
    """Guard the checker itself: it must flag bare text and bare visible attributes."""
    parser = _VisibleText()
    parser.feed(_strip_jinja('<p title="Hallo">{{ _("Goed") }} Fout {# nee #}</p>'
                             '<img alt="{{ _(\'x\') }}"><code>key</code> PDF'
                             '<input type="submit" value="Stuur"><input type="hidden" value="x">'
                             '<{{ h }} id="a">{{ _("Kop") }}</{{ h }}>'))
    texts = [attr + text for _line, attr, text in parser.found if _untranslated(text)]
    assert texts == ["title=Hallo", "Fout", "value=Stuur"]


# Calls whose text a person reads: flash(), WTForms fields and validators, abort(description=).
MESSAGE_FIRST = {"flash", "DataRequired", "InputRequired", "Email", "URL", "ValidationError",
                 "StopValidation"}
VALIDATORS = {"DataRequired", "InputRequired", "Optional", "Length", "NumberRange", "Email",
              "EqualTo", "Regexp", "URL", "AnyOf", "NoneOf"}


def _literal_messages(source: str) -> list[tuple[int, str]]:
    """Return (line, text) for user-facing texts given as plain literals instead of _()."""

    def name(func) -> str:
        return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")

    def is_literal(node) -> bool:
        return isinstance(node, ast.JoinedStr) or (
            isinstance(node, ast.Constant) and isinstance(node.value, str)
            and bool(node.value.strip()))

    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        called = name(node.func)
        texts = list(node.args[:1]) if called in MESSAGE_FIRST or called.endswith("Field") else []
        texts += [kw.value for kw in node.keywords
                  if (kw.arg == "message" and called in VALIDATORS)
                  or (kw.arg in ("label", "description") and called.endswith("Field"))
                  or (kw.arg == "description" and called == "abort")]
        found += [(text.lineno, ast.unparse(text)) for text in texts if is_literal(text)]
    return found


def test_python_messages_go_through_gettext():
    problems = [f"{path.relative_to(ROOT)}:{line}: {text}"
                for path in sorted((ROOT / "rem").rglob("*.py"))
                for line, text in _literal_messages(path.read_text(encoding="utf-8"))]
    assert not problems, ("Wrap these texts in _() (or _l() at import time):\n"
                          + "\n".join(problems))


def test_the_python_check_sees_literals():
    source = ('f = StringField("Naam", validators=[Length(max=3, message="Te lang"), '
              'DataRequired(_l("Goed")), EqualTo("password")])\n'
              'flash(f"Hallo {f}")\nabort(400, description="Fout")\nflash(_("Goed"))\n')
    assert sorted(text for _line, text in _literal_messages(source)) == [
        "'Fout'", "'Naam'", "'Te lang'", "f'Hallo {f}'"]


def _compile_catalogues(app):
    """Compile each .po next to itself when its .mo is missing or older (as `make
    translations` does; .mo files are not committed), and make the app reload them."""
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as fileobj:
            catalog = read_po(fileobj)
        fd, tmp_name = tempfile.mkstemp(dir=po_path.parent, suffix=".mo.tmp")
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalog)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, mo_path)
    from rem.extensions import babel

    with app.app_context():
        babel.domain_instance.cache.clear()  # translations loaded before the compile


@pytest.mark.parametrize(("language", "expected", "not_expected"), [
    ("en", "Sign in", "Inloggen"),
    ("en-GB,en;q=0.9,nl;q=0.5", "Sign in", "Inloggen"),
    ("nl", "Inloggen", "Sign in"),
    ("nl-NL,nl;q=0.9,en;q=0.8", "Inloggen", "Sign in"),
    ("fr", "Inloggen", "Sign in"),
])
def test_the_app_speaks_the_browsers_language(app, client, language, expected, not_expected):
    _compile_catalogues(app)
    response = client.get("/login", headers={"Accept-Language": language})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"<h1>{expected}</h1>" in page
    assert not_expected not in page


def test_the_language_switch_beats_the_browser(app, client):
    _compile_catalogues(app)
    response = post(client, "/language", {"locale": "en", "next": "/login"}, token_from="/login",
                    headers={"Accept-Language": "nl"})
    assert response.status_code == 302
    page = client.get("/login", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "<h1>Sign in</h1>" in page
    assert '<html lang="en"' in page
