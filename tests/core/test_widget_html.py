"""Django's simplest widget templates are written in Python
(safeguard/core/widget_html.py) and must come out exactly as Django's own
templates write them, for every field of every form in the project."""

from __future__ import annotations

from pathlib import Path

import django
import pytest
from django import forms
from django.template import Context, Engine
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from safeguard.core.widget_html import WRITERS
from tests.core.test_forms_choices import _project_form_classes

DJANGO_FORM_TEMPLATES = Path(django.__file__).parent / "forms" / "templates"
ENGINE = Engine(dirs=[str(DJANGO_FORM_TEMPLATES)])


def as_django_writes_it(widget: forms.Widget, name: str, value, attrs=None) -> str:
    context = widget.get_context(name, value, attrs or {"id": f"id_{name}"})
    return ENGINE.get_template(widget.template_name).render(Context(context))


CHOICES = [
    ("", "Anyone"),
    ("me", "You"),
    ("7", 'Dawn "Dee" O\'Neil <duty> & co'),
    ("8", mark_safe("<b>Already</b> safe")),
    (9, gettext_lazy("Lazy & translated")),
    ("Teams", [("t1", "Front door"), ("t2", "Child protection & court")]),
]
NASTY = 'O\'Neil "Dee" <script>&amp;'
ATTRS = {"id": "id_x", "class": "govuk-input", "required": True, "disabled": False, "maxlength": 7}


@pytest.mark.parametrize(
    ("widget", "value"),
    [
        (forms.TextInput(), None),
        (forms.TextInput(), ""),
        (forms.TextInput(attrs={"inputmode": "numeric"}), NASTY),
        (forms.TextInput(), mark_safe("<b>safe</b>")),
        (forms.TextInput(), gettext_lazy("Lazy & translated")),
        (forms.NumberInput(), 42),
        (forms.EmailInput(), "a&b@example.org"),
        (forms.URLInput(), "https://example.org/?a=1&b=2"),
        (forms.PasswordInput(render_value=False), "secret"),
        (forms.HiddenInput(), "7"),
        (forms.CheckboxInput(), True),
        (forms.CheckboxInput(), False),
        (forms.CheckboxInput(), "on"),
        (forms.DateInput(), "2026-12-04"),
        (forms.FileInput(), None),
        (forms.Textarea(), None),
        (forms.Textarea(), ""),
        (forms.Textarea(attrs={"rows": 3}), NASTY + "\nline two"),
        (forms.Select(choices=CHOICES), "7"),
        (forms.Select(choices=CHOICES, attrs={"class": "govuk-select", "disabled": True}), ""),
        (forms.SelectMultiple(choices=CHOICES), ["me", "t2"]),
        (forms.NullBooleanSelect(), True),
    ],
)
def test_a_widget_comes_out_as_django_writes_it(widget, value):
    ours = widget.render("x", value, attrs=ATTRS)
    assert ours == as_django_writes_it(widget, "x", value, ATTRS)


def test_a_value_is_escaped_and_a_choice_selected():
    mine = forms.Select(choices=CHOICES).render("allocated", "7")
    assert "&lt;duty&gt; &amp; co" in mine and "<duty>" not in mine
    assert '<option value="7" selected>' in mine
    typed = forms.TextInput().render("name", NASTY)
    assert 'value="O&#x27;Neil &quot;Dee&quot; &lt;script&gt;&amp;amp;"' in typed


def test_an_option_with_its_own_template_is_still_rendered_by_it(settings, tmp_path):
    (tmp_path / "fancy_option.html").write_text('<option data-fancy="{{ widget.value }}"></option>')
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]

    class Fancy(forms.Select):
        option_template_name = "fancy_option.html"

    assert '<option data-fancy="me"></option>' in Fancy(choices=CHOICES).render("x", "")


def test_no_project_template_overrides_a_widget_written_in_python():
    """A project template of the same name would be silently passed over."""
    for name in WRITERS:
        origin = Path(get_template(name).origin.name)
        assert origin.is_relative_to(DJANGO_FORM_TEMPLATES), (name, origin)


@pytest.mark.django_db
def test_every_field_of_every_form_comes_out_as_django_writes_it():
    """Unbound, as the pages offer them (choices read from an empty county)."""
    checked = 0
    for form_class in _project_form_classes():
        for name, field in form_class.base_fields.items():
            if field.widget.template_name not in WRITERS:
                continue
            if isinstance(field, forms.ModelChoiceField) and field.queryset is None:
                continue  # its records are chosen when the form is made for a page
            widget = field.widget
            value = field.prepare_value(field.initial)
            attrs = {"id": f"id_{name}", **field.widget_attrs(widget)}
            assert widget.render(name, value, attrs=attrs) == as_django_writes_it(
                widget, name, value, attrs
            ), (form_class.__name__, name)
            checked += 1
    assert checked >= 100  # the project's forms were found
