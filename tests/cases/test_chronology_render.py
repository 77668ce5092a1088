"""Issue 15: the case page draws its chronology in Python (cases/templatetags/
chronology.py) instead of through the template language. It must say exactly
what the template said, escape what a person typed, and show each person only
the entries the access rule gives them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template import Context, Template
from django.urls import reverse

from cases import selectors
from cases.models import ChronologyEntry
from cases.templatetags.chronology import chronology_timeline
from tests.factories import World, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db

# The case page's chronology as the template drew it before issue 15.
TEMPLATE_MARKUP = """
{% for entry in chronology %}
<div class="moj-timeline__item">
  <div class="moj-timeline__header">
    <h3 class="moj-timeline__title">{{ entry.title }}</h3>
    <p class="moj-timeline__byline">by {{ entry.agency.name|default:"Safeguard" }}{% if entry.visibility == "lead_only" %} · <strong class="govuk-tag govuk-tag--grey">Lead agency only</strong>{% endif %}</p>
  </div>
  <p class="moj-timeline__date"><time datetime="{{ entry.occurred_at|date:'c' }}">{{ entry.occurred_at|date:"j F Y, H:i" }}</time></p>
  {% if entry.body or entry.source_reference %}
  <div class="moj-timeline__description">{{ entry.body|linebreaksbr }}{% if entry.source_reference %}<p class="govuk-body govuk-!-font-size-16 govuk-!-margin-top-2">Reference {{ entry.source_reference }}</p>{% endif %}</div>
  {% endif %}
</div>
{% endfor %}
"""  # noqa: E501


def _tags_only(html: str) -> str:
    """Markup without the indentation between tags, which the browser ignores."""
    return re.sub(r">\s+<", "><", html).strip()


@pytest.fixture
def world():
    return World()


@pytest.fixture
def case(world):
    case = open_case_from_concern(world, submit_concern(world))
    utc = dt.UTC
    entries = [
        # British Summer Time: 23:30 UTC on 1 July is 00:30 on 2 July in London.
        (dt.datetime(2026, 7, 1, 23, 30, tzinfo=utc), world.la, "lead_only", "", ""),
        (
            dt.datetime(2026, 1, 9, 8, 5, 7, 123456, tzinfo=utc),
            world.police,
            "shared",
            'Mum said "he\'s <b>fine</b>" & left.\r\nSecond line\rThird\n\nFifth',
            "POL/26/<1>",
        ),
        (dt.datetime(2025, 12, 31, 23, 59, tzinfo=utc), None, "shared", "", "REF-&-1"),
        (dt.datetime(2025, 11, 2, 1, 0, tzinfo=utc), world.school, "shared", "Body only", ""),
    ]
    for i, (at, agency, visibility, body, reference) in enumerate(entries):
        ChronologyEntry.objects.create(
            case=case,
            occurred_at=at,
            agency=agency,
            kind="note",
            title=f"Entry {i} <script>alert('x')</script>",
            body=body,
            visibility=visibility,
            source_reference=reference,
        )
    return case


def test_the_chronology_reads_as_the_template_drew_it(world, case):
    rows = selectors.chronology_rows_for(world.social_worker, case, lead=True)
    entries = list(selectors.chronology_for(world.social_worker, case, lead=True))
    assert [r.title for r in rows] == [e.title for e in entries] and len(rows) >= 5
    drawn = Template(TEMPLATE_MARKUP).render(Context({"chronology": entries}))
    assert _tags_only(chronology_timeline(rows)) == _tags_only(drawn)
    html = chronology_timeline(rows)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "2 July 2026, 00:30" in html and 'datetime="2026-07-02T00:30:00+01:00"' in html
    assert "&amp; left.<br>Second line<br>Third<br><br>Fifth" in html
    assert "by Safeguard" in html and "Reference REF-&amp;-1" in html


def test_each_person_sees_the_chronology_their_access_gives_them(client, world, case):
    url = reverse("case_detail", args=[case.pk])
    client.force_login(world.social_worker)
    lead_page = client.get(url).content.decode()
    assert "Entry 0 &lt;script&gt;" in lead_page and "Lead agency only" in lead_page
    assert "Entry 1 &lt;script&gt;" in lead_page
    client.force_login(world.teacher)  # the school is involved: shared entries only
    involved_page = client.get(url).content.decode()
    assert "Entry 1 &lt;script&gt;" in involved_page and "Case opened" in involved_page
    assert "Entry 0" not in involved_page and "Lead agency only" not in involved_page
    client.force_login(world.other_social_worker)  # another authority: no page at all
    assert client.get(url).status_code == 404
