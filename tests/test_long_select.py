"""The select widget for long lists of items writes the same HTML as WTForms' own."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from wtforms import widgets
from wtforms.fields.choices import Choice

from rem.core.forms import LongSelect

pytestmark = pytest.mark.one_database

VALUES = st.one_of(st.integers(), st.text(), st.booleans(), st.none())


@given(value=VALUES, label=st.one_of(st.none(), st.text()), selected=st.booleans())
def test_each_option_is_written_as_wtforms_writes_it(value, label, selected):
    choice = Choice(value=value, label=label, selected=selected, render_kw=None)
    assert str(LongSelect.render_option(choice)) == str(widgets.Select.render_option(choice))


def test_an_option_with_its_own_attributes_is_left_to_wtforms():
    choice = Choice(value=3, label="<b>drie</b>", selected=True,
                    render_kw={"data_kind": "effect", "disabled": True})
    html = str(LongSelect.render_option(choice))
    assert html == str(widgets.Select.render_option(choice))
    assert 'data-kind="effect"' in html and "&lt;b&gt;drie&lt;/b&gt;" in html
