"""The case list writes its rows and its restricted-records notice in Python
(cases/templatetags/case_rows.py) instead of through the template language.
It must say exactly what the template said, and escape what a person typed."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template
from django.urls import reverse

from agencies.models import Agency, Team
from cases.models import Case, Child
from cases.selectors.restricted_notice import NoticedCase
from cases.templatetags.case_rows import case_list_rows, restricted_notice_items
from tests.cases.test_chronology_render import _tags_only
from tests.factories import World, open_case_from_concern, submit_concern

# The case list's rows and notice as the template drew them before.
TEMPLATE_ROWS = """
  {% for case in page %}
    <tr class="govuk-table__row">
      <td class="govuk-table__cell" data-label="Case"><a class="govuk-link" href="{% url 'case_detail' case.pk %}">{{ case.reference }}</a></td>
      <td class="govuk-table__cell" data-label="Child">{{ case.child.full_name }}</td>
      <td class="govuk-table__cell" data-label="Born">{{ case.child.date_of_birth|date:"j M Y"|default:"Not known" }}</td>
      <td class="govuk-table__cell" data-label="Lead agency">{{ case.lead_agency.name }}</td>
      <td class="govuk-table__cell" data-label="Allocated to">{% if case.allocated_worker %}{{ case.allocated_worker.get_full_name|default:case.allocated_worker.username }}{% else %}<strong class="govuk-tag govuk-tag--yellow">Not allocated</strong>{% endif %}</td>
      <td class="govuk-table__cell" data-label="Team">{{ case.team.name|default:"" }}</td>
      <td class="govuk-table__cell" data-label="Status">{% if case.status == "open" %}<strong class="govuk-tag govuk-tag--green">Open</strong>{% else %}<strong class="govuk-tag govuk-tag--grey">Closed</strong>{% endif %}</td>
    </tr>
  {% endfor %}
"""  # noqa: E501
TEMPLATE_NOTICE = """
  {% for case in restricted %}<li><a class="govuk-link" href="{% url 'case_detail' case.pk %}">{{ case.reference }}</a>, {{ case.lead_agency_name }}</li>{% endfor %}
"""  # noqa: E501


def _cases() -> list[Case]:
    """Cases as the list holds them (with child, agency, worker and team), in
    every shape a row can take; nothing is saved."""
    User = get_user_model()
    council = Agency(name="Northshire <Children's> & Families")
    named = User(username="sw@northshire", first_name="Zoë", last_name="O'Brien <b>")
    unnamed = User(username="duty&<worker>")
    team = Team(name="Assessment & <Intervention>", agency=council)
    nameless_team = Team(name="", agency=council)
    shapes = [
        # (first, last, born, worker, team, status)
        ("Amelia", "Hart", dt.date(2019, 3, 4), named, team, "open"),
        ('Jo "JJ"', "Smith-<Jones>", None, None, None, "closed"),
        ("", "Unborn & baby", dt.date(2026, 12, 31), unnamed, nameless_team, "open"),
        ("Sam", "", dt.date(2010, 9, 9), None, team, "closed"),
    ]
    cases = []
    for i, (first, last, born, worker, case_team, status) in enumerate(shapes):
        child = Child(first_name=first, last_name=last, date_of_birth=born, lead_agency=council)
        cases.append(
            Case(
                id=uuid.uuid4(),
                reference=f"CAS-2026-{i:06d}<&>",
                child=child,
                lead_agency=council,
                allocated_worker=worker,
                team=case_team,
                status=status,
            )
        )
    return cases


def test_the_rows_read_as_the_template_drew_them():
    cases = _cases()
    old = Template(TEMPLATE_ROWS).render(Context({"page": cases}))
    new = case_list_rows(cases)
    assert _tags_only(new) == _tags_only(old)
    # What a person typed is escaped, never markup.
    assert "<b>" not in new and "&lt;Jones&gt;" in new and "<Intervention>" not in new
    assert "4 Mar 2019" in new and "Not known" in new


def test_the_restricted_notice_reads_as_the_template_drew_it():
    notices = [
        NoticedCase(uuid.uuid4(), "CAS-2026-000009", "Northshire <CSC> & Co"),
        NoticedCase(uuid.uuid4(), "CAS-<2026>", "Police"),
    ]
    old = Template(TEMPLATE_NOTICE).render(Context({"restricted": notices}))
    assert _tags_only(restricted_notice_items(notices)) == _tags_only(old)
    assert restricted_notice_items([]) == ""


@pytest.mark.django_db
def test_the_case_list_page_links_each_case_it_lists(client):
    world = World()
    case = open_case_from_concern(world, submit_concern(world))
    client.force_login(world.social_worker)
    page = client.get(reverse("case_list")).content.decode()
    row = re.search(
        rf'<a class="govuk-link" href="{reverse("case_detail", args=[case.pk])}">'
        rf"{case.reference}</a>",
        page,
    )
    assert row is not None
    assert client.get(reverse("case_detail", args=[case.pk])).status_code == 200
