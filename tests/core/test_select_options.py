"""Every select is written by ``select_options`` (templates/django/forms/widgets/
select.html) and must come out exactly as Django's own templates write it."""

from __future__ import annotations

import re
from pathlib import Path

import django
from django import forms
from django.template import Context, Engine
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

DJANGO_FORM_TEMPLATES = Path(django.__file__).parent / "forms" / "templates"


def as_django_writes_it(widget: forms.Select, name: str, value) -> str:
    engine = Engine(dirs=[str(DJANGO_FORM_TEMPLATES)])
    context = widget.get_context(name, value, {"id": f"id_{name}"})
    return engine.get_template(widget.template_name).render(Context(context))


def same(html: str) -> str:
    return re.sub(r"\s+", " ", html.replace("><", "> <")).strip()


CHOICES = [
    ("", "Anyone"),
    ("me", "You"),
    ("7", 'Dawn "Dee" O\'Neil <duty> & co'),
    ("8", mark_safe("<b>Already</b> safe")),
    (9, gettext_lazy("Lazy & translated")),
    ("Teams", [("t1", "Front door"), ("t2", "Child protection & court")]),
]


def test_a_select_with_groups_escaping_and_a_choice_comes_out_as_djangos():
    for widget, value in [
        (forms.Select(choices=CHOICES), "7"),
        (forms.Select(choices=CHOICES, attrs={"class": "govuk-select", "disabled": True}), ""),
        (forms.SelectMultiple(choices=CHOICES), ["me", "t2"]),
        (forms.NullBooleanSelect(), True),
    ]:
        ours = widget.render("allocated", value, attrs={"id": "id_allocated"})
        assert same(ours) == same(as_django_writes_it(widget, "allocated", value)), ours
    mine = forms.Select(choices=CHOICES).render("allocated", "7")
    assert "&lt;duty&gt; &amp; co" in mine and "<duty>" not in mine
    assert '<option value="7" selected>' in mine


def test_an_option_with_its_own_template_is_still_rendered_by_it(settings, tmp_path):
    (tmp_path / "fancy_option.html").write_text('<option data-fancy="{{ widget.value }}"></option>')
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]

    class Fancy(forms.Select):
        option_template_name = "fancy_option.html"

    assert '<option data-fancy="me"></option>' in Fancy(choices=CHOICES).render("x", "")
