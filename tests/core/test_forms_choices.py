"""Every form's choice of a record reads its choices in one statement
(safeguard.core.forms.ReadAtOnce), not through a server-side cursor."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency
from safeguard.core.forms import ModelChoice, ReadAtOnce


def _project_form_classes() -> list[type[forms.BaseForm]]:
    ours = []
    for app in apps.get_app_configs():
        if not Path(app.path).is_relative_to(settings.BASE_DIR) or ".venv" in app.path:
            continue
        ours.append(app.name)
        try:
            module = importlib.import_module(f"{app.name}.forms")
        except ModuleNotFoundError:
            continue
        for info in pkgutil.iter_modules(getattr(module, "__path__", [])):
            importlib.import_module(f"{app.name}.forms.{info.name}")
    found, stack = [], [forms.BaseForm]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.split(".")[0] in {name.split(".")[0] for name in ours}:
                found.append(sub)
    return found


def test_every_choice_of_a_record_is_read_at_once():
    fields = [
        (form.__name__, name)
        for form in _project_form_classes()
        for name, field in form.base_fields.items()
        if isinstance(field, forms.ModelChoiceField)
    ]
    assert len(fields) >= 20, fields  # the forms were found
    plain = [
        (form.__name__, name)
        for form in _project_form_classes()
        for name, field in form.base_fields.items()
        if isinstance(field, forms.ModelChoiceField) and field.iterator is not ReadAtOnce
    ]
    assert plain == []


@pytest.mark.django_db
def test_a_select_of_records_is_one_statement_with_every_choice():
    for n in range(3):
        Agency.objects.create(slug=f"a{n}", name=f"Agency {n}", kind="school")

    class Pick(forms.Form):
        agency = ModelChoice(queryset=Agency.objects.order_by("name"), empty_label="Choose")

    with CaptureQueriesContext(connection) as queries:
        html = str(Pick()["agency"])
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["SELECT"]
    names = list(Agency.objects.order_by("name").values_list("name", flat=True))
    assert html.index("Choose") < html.index(names[0])
    assert all(f">{name}</option>" in html for name in names)
    # Asked twice (the widget asks whether a choice is required): read afresh.
    assert len(list(Pick().fields["agency"].choices)) == len(names) + 1


@pytest.mark.django_db
def test_records_read_once_are_offered_by_several_selects_and_still_checked():
    from safeguard.core.forms import ReadOnce, offer

    agencies = [
        Agency.objects.create(slug=f"r{n}", name=f"Agency {n}", kind="school") for n in range(3)
    ]
    outsider = Agency.objects.create(slug="elsewhere", name="Elsewhere", kind="school")

    class Pick(forms.Form):
        agency = ModelChoice(queryset=Agency.objects.none())

        def __init__(self, *args, records, **kwargs):
            super().__init__(*args, **kwargs)
            offer(self.fields["agency"], records)

    records = Agency.objects.filter(slug__startswith="r").order_by("name")
    with CaptureQueriesContext(connection) as queries:
        shared = ReadOnce.of(records)
        pages = [str(Pick(records=shared)["agency"]) for _ in range(3)]
    assert len(queries.captured_queries) == 1
    for html in pages:
        assert all(f">{a.name}</option>" in html for a in agencies)
        assert "Elsewhere" not in html
    # What is submitted is checked against the records, as ever.
    assert Pick({"agency": agencies[1].pk}, records=shared).is_valid()
    refused = Pick({"agency": outsider.pk}, records=shared)
    assert not refused.is_valid() and "agency" in refused.errors
