#!/usr/bin/env bash
# Re-extract the translatable strings (babel.cfg) into rem/translations/messages.pot and
# merge them into every catalogue. Then give each new or "#, fuzzy" entry in
# rem/translations/en/LC_MESSAGES/messages.po its English (and drop the "#, fuzzy" line),
# and run: .venv/bin/pytest tests/test_translations.py. `make translations` builds the .mo.
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel=.venv/bin/pybabel
[ -x "$pybabel" ] || pybabel=pybabel

"$pybabel" -q extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 \
    --add-comments=Translators: --project=rem --copyright-holder="the rem authors" \
    -o rem/translations/messages.pot .
"$pybabel" -q update -i rem/translations/messages.pot -d rem/translations --ignore-obsolete
