#!/bin/sh
# Refresh the gettext catalogs after changing strings in the code or templates: extract every
# message, merge them into translations/*/messages.po (new ones arrive empty, removed ones go),
# then compile the .mo files the app loads. Translate the empty entries before committing;
# tests/i18n/test_catalog.py fails on any left empty or fuzzy, or on a stale catalog.
set -eu
cd "$(dirname "$0")/.."
PYBABEL=${PYBABEL:-.venv/bin/pybabel}
"$PYBABEL" -q extract -F babel.cfg -k _l --no-location --sort-output --project eventhub -o translations/messages.pot .
"$PYBABEL" -q update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete --width 100
"$PYBABEL" compile -d translations --statistics
