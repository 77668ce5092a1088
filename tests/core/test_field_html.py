"""Every field of every project form comes out as a GOV.UK form group
(safeguard/core/field_html.py): its label names its input, its hint and its
error message are tied to it, and what anyone typed is escaped. The markup of
each kind of widget is in tests/core/test_forms.py."""

from __future__ import annotations

import copy
import re
from html import escape

import pytest
from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.functional import lazy
from django.utils.safestring import SafeString

from tests.core.test_forms_choices import _project_form_classes

TYPED = '<script>alert("x")</script> & more'


def _alone(field: forms.Field, name: str, data: dict | None) -> forms.BoundField:
    form = type("Alone", (forms.Form,), {name: copy.deepcopy(field)})(data=data)
    if data is not None:
        form.is_valid()
    return form[name]


@pytest.mark.django_db
def test_every_field_of_every_form_is_a_labelled_group_tied_to_its_hint_and_error():
    checked = 0
    for form_class in _project_form_classes():
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.ModelChoiceField) and field.queryset is None:
                continue  # its records are chosen when the form is made for a page
            if isinstance(field.widget, forms.HiddenInput):
                continue
            for data in (None, {name: TYPED}, {}):
                bound = _alone(field, name, data)
                html = bound.as_field_group()
                where = (form_class.__name__, name, data)
                assert html.strip().startswith('<div class="govuk-form-group'), where
                assert "<script>" not in html, where
                if bound.widget_type in ("radioselect", "checkboxselectmultiple", "govukdate"):
                    assert "<legend" in html and escape(bound.label) in html, where
                    for n, _choice in enumerate(bound.subwidgets):
                        if bound.widget_type != "govukdate":
                            assert f'for="id_{name}_{n}"' in html, where
                else:
                    assert f'for="id_{name}"' in html and f'id="id_{name}"' in html, where
                described = re.findall(r'aria-describedby="([^"]*)"', html)
                if field.help_text:
                    assert f'id="id_{name}-hint"' in html, where
                    assert any(f"id_{name}-hint" in ids for ids in described), where
                if bound.errors:
                    assert "govuk-form-group--error" in html, where
                    assert f'<p id="id_{name}-error" class="govuk-error-message">' in html, where
                    assert any(f"id_{name}-error" in ids for ids in described), where
                    assert html.count('<span class="govuk-visually-hidden">Error:</span>') == len(
                        bound.errors
                    ), where
                else:
                    assert "-error" not in html, where
                checked += 1
    assert checked >= 300  # the project's forms were found


def test_a_safe_hint_is_written_as_it_is_and_a_plain_one_escaped():
    safe_lazily = lazy(password_validators_help_text_html, SafeString)()

    class Hints(forms.Form):
        new_password = forms.CharField(help_text=safe_lazily)
        note = forms.CharField(help_text="Use <b> & the like")

    form = Hints()
    assert "<ul>" in form["new_password"].as_field_group()
    assert "Use &lt;b&gt; &amp; the like" in form["note"].as_field_group()


def test_several_errors_are_one_message_a_line_each():
    class Checked(forms.Form):
        name = forms.CharField()

        def clean_name(self):
            raise forms.ValidationError(["Enter their name", "Use letters"])

    form = Checked(data={"name": "x"})
    form.is_valid()
    html = form["name"].as_field_group()
    assert (
        '<p id="id_name-error" class="govuk-error-message">'
        '<span class="govuk-visually-hidden">Error:</span> Enter their name<br>'
        '<span class="govuk-visually-hidden">Error:</span> Use letters</p>'
    ) in html
