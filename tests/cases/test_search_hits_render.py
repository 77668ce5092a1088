"""The search page writes its results in Python (cases/templatetags/
search_hits.py) instead of through an include per result. It must say exactly
what the template said, and escape what a person typed."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template
from django.urls import reverse

from agencies.models import Agency
from cases.models import Case, Child, Concern, Plan
from cases.selectors.search import Hit
from cases.templatetags.search_hits import search_hits
from tests.cases.test_chronology_render import _tags_only
from tests.factories import World, open_case_from_concern, submit_concern

# One result as cases/includes/search_hit.html drew it before.
TEMPLATE_HIT = """
{% with case=hit.case open_case=hit.open_case lead_agency=hit.lead_agency %}
<div class="govuk-summary-card" data-testid="search-hit">
  <div class="govuk-summary-card__title-wrapper">
    <h2 class="govuk-summary-card__title">{% if hit.child %}{{ hit.child.full_name }}{% else %}Concern {{ hit.concern.reference }}{% endif %}</h2>
    {% if case %}
    <ul class="govuk-summary-card__actions"><li class="govuk-summary-card__action"><a class="govuk-link" href="{% url 'case_detail' case.pk %}">Open case {{ case.reference }}<span class="govuk-visually-hidden"> for {{ hit.child.full_name }}</span></a></li></ul>
    {% elif hit.concern %}
    <ul class="govuk-summary-card__actions"><li class="govuk-summary-card__action"><a class="govuk-link" href="{% url 'concern_detail' hit.concern.pk %}">Open concern {{ hit.concern.reference }}</a></li></ul>
    {% endif %}
  </div>
  <div class="govuk-summary-card__content">
    <dl class="govuk-summary-list">
      {% if hit.child %}
      <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Child reference</dt><dd class="govuk-summary-list__value">{{ hit.child.reference }}</dd></div>
      <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Age</dt><dd class="govuk-summary-list__value">{{ hit.age }}{% if hit.child.date_of_birth %} (born {{ hit.child.date_of_birth|date:"j F Y" }}){% endif %}</dd></div>
      {% endif %}
      <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Lead agency</dt><dd class="govuk-summary-list__value">{{ lead_agency.name|default:"Not recorded" }}</dd></div>
      <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Case</dt><dd class="govuk-summary-list__value">{% if open_case %}Open: {{ open_case.reference }}, {% if open_case.allocated_worker %}allocated to {{ open_case.allocated_worker.get_full_name|default:open_case.allocated_worker.username }}{% else %}not allocated{% endif %}{% elif case %}Closed: {{ case.reference }}{% else %}No case you can see{% endif %}</dd></div>
      <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Plan</dt><dd class="govuk-summary-list__value">{% for plan in hit.plans %}{{ plan.get_kind_display }}{% if plan.category %} ({{ plan.get_category_display }}){% endif %} since {{ plan.start_date|date:"j M Y" }}{% if not forloop.last %}<br>{% endif %}{% empty %}No current plan you can see{% endfor %}</dd></div>
      {% if hit.concern %}
      <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Concern</dt><dd class="govuk-summary-list__value">{{ hit.concern.reference }}: {{ hit.concern.get_status_display }}, {{ hit.concern.lead_agency.name }}</dd></div>
      {% endif %}
      <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Why it matched</dt><dd class="govuk-summary-list__value">{{ hit.reasons|join:"; "|capfirst }}{% if hit.strength %} <strong class="govuk-tag govuk-tag--grey">{{ hit.strength }}</strong>{% endif %}</dd></div>
    </dl>
  </div>
</div>
{% endwith %}
"""  # noqa: E501
TEMPLATE = "{% for hit in hits %}" + TEMPLATE_HIT + "{% endfor %}"


def _hits() -> list[Hit]:
    """Results in every shape a card takes; nothing is saved."""
    User = get_user_model()
    council = Agency(name="Northshire <Children's> & Families")
    police = Agency(name="Police & <Partners>")
    worker = User(username="sw@northshire", first_name="Zoë", last_name="O'Brien <b>")
    duty = User(username="duty&<worker>")

    def child(first: str, last: str, born: dt.date | None) -> Child:
        return Child(
            id=uuid.uuid4(),
            reference=f"CH-<{last}>",
            first_name=first,
            last_name=last,
            date_of_birth=born,
            lead_agency=council,
        )

    def case(reference: str, status: str, allocated=None, agency=council) -> Case:
        return Case(
            id=uuid.uuid4(),
            reference=reference,
            status=status,
            lead_agency=agency,
            allocated_worker=allocated,
        )

    cp = Plan(kind="cp", category="NEG", start_date=dt.date(2026, 3, 4))
    cin = Plan(kind="cin", category="", start_date=dt.date(2025, 11, 30))
    concern = Concern(
        id=uuid.uuid4(), reference="CON-2026-<7>", status="submitted", lead_agency=police
    )
    return [
        Hit(
            child("Amelia", "Hart & <Co>", dt.date(2019, 3, 4)),
            reasons=["same name <exactly>", "same date of birth"],
            strength="Strong & sure",
            cases=[case("CAS-1<&>", "open", worker), case("CAS-0", "closed")],
            plans=[cp, cin],
        ),
        Hit(
            child('Jo "JJ"', "Smith", None),
            reasons=["sounds alike"],
            cases=[case("CAS-2", "open", duty)],
        ),
        Hit(child("Sam", "Lee", dt.date(2010, 9, 9)), reasons=[], cases=[case("CAS-3", "open")]),
        Hit(
            child("Ola", "Ade", dt.date(2012, 1, 31)),
            reasons=["same postcode"],
            cases=[case("CAS-4", "closed", agency=police)],
        ),
        Hit(child("Ola", "Unseen", dt.date(2012, 1, 31)), reasons=["same postcode"]),
        Hit(None, reasons=["same concern reference"], concern=concern),
    ]


def test_the_results_read_as_the_template_drew_them():
    hits = _hits()
    old = Template(TEMPLATE).render(Context({"hits": hits}))
    new = search_hits(hits)
    assert _tags_only(new) == _tags_only(old)
    assert new.count('data-testid="search-hit"') == len(hits)
    # What a person typed is escaped, never markup.
    assert "<b>" not in new and "&lt;Co&gt;" in new and "<Partners>" not in new
    assert "(born 4 March 2019)" in new and "since 4 Mar 2026" in new
    assert search_hits([]) == ""


@pytest.mark.django_db
def test_the_search_page_shows_a_card_that_opens_the_case(client):
    world = World()
    case = open_case_from_concern(world, submit_concern(world))
    client.force_login(world.social_worker)
    page = client.get(reverse("search"), {"q": case.reference}).content.decode()
    assert page.count('data-testid="search-hit"') == 1
    assert f'href="{reverse("case_detail", args=[case.pk])}">Open case {case.reference}' in page
