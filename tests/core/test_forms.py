"""GOV.UK form rendering, the date field, the sign-in page and the error pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.template.loader import get_template, render_to_string
from django.test import RequestFactory

from safeguard.core import navigation
from safeguard.core.forms import GovukDateField


class ExampleForm(forms.Form):
    name = forms.CharField(
        label="Full name",
        help_text="As it appears on their records",
        error_messages={"required": "Enter the full name"},
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea)
    agency = forms.ChoiceField(label="Agency", choices=[("p", "Police"), ("h", "Health")])
    risk = forms.ChoiceField(
        label="Risk",
        choices=[("low", "Low"), ("medium", "Medium"), ("high", "High")],
        widget=forms.RadioSelect,
    )
    kinds = forms.MultipleChoiceField(
        label="Kinds",
        required=False,
        choices=[("a", "Neglect"), ("b", "Physical")],
        widget=forms.CheckboxSelectMultiple,
    )
    agreed = forms.BooleanField(label="I agree", required=False)
    date_of_birth = GovukDateField(label="Date of birth", help_text="For example, 27 3 2015")


def bound(**overrides):
    data = {
        "name": "Amelia",
        "notes": "",
        "agency": "p",
        "risk": "low",
        "date_of_birth_0": "27",
        "date_of_birth_1": "3",
        "date_of_birth_2": "2015",
    }
    data.update(overrides)
    return ExampleForm(data=data)


def group_for(html: str, field_id: str) -> str:
    """The form group that holds the given field's markup."""
    groups = re.split(r'(?=<div class="govuk-form-group[ "])', html)
    return next(g for g in groups if f'id="{field_id}' in g)


# --- GovukDateField -----------------------------------------------------------


def test_a_real_date_becomes_a_date():
    form = bound()
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] == dt.date(2015, 3, 27)


def test_an_impossible_date_is_refused_and_what_was_typed_comes_back():
    form = bound(date_of_birth_0="31", date_of_birth_1="2", date_of_birth_2="2015")
    assert not form.is_valid()
    assert form.errors["date_of_birth"] == ["Date of birth must be a real date"]

    html = str(form["date_of_birth"].as_field_group())
    assert 'name="date_of_birth_0" type="text" inputmode="numeric" value="31"' in html
    assert 'name="date_of_birth_1" type="text" inputmode="numeric" value="2"' in html
    assert 'name="date_of_birth_2" type="text" inputmode="numeric" value="2015"' in html
    assert "govuk-form-group--error" in html
    assert html.count("govuk-input--error") == 3
    assert 'aria-describedby="id_date_of_birth-hint id_date_of_birth-error"' in html


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("27", "", "2015", "Date of birth must include a month"),
        ("", "", "2015", "Date of birth must include a day and month"),
        ("x", "3", "2015", "Date of birth must be a real date"),
        ("27", "13", "2015", "Date of birth must be a real date"),
        ("27", "3", "15", "Date of birth must include a year with 4 numbers"),
        ("", "", "", "Enter the date of birth"),
    ],
)
def test_date_messages_say_what_is_wrong(day, month, year, message):
    form = bound(date_of_birth_0=day, date_of_birth_1=month, date_of_birth_2=year)
    assert form.errors["date_of_birth"] == [message]


def test_only_the_missing_part_of_an_incomplete_date_is_marked():
    form = bound(date_of_birth_1="")
    html = str(form["date_of_birth"].as_field_group())
    marked = re.findall(r'class="([^"]*)" id="id_date_of_birth_(\d)"', html)
    assert [part for classes, part in marked if "govuk-input--error" in classes] == ["1"]


def test_an_optional_empty_date_is_none():
    class Optional(forms.Form):
        on = GovukDateField(label="Date", required=False)

    form = Optional(data={"on_0": "", "on_1": "", "on_2": ""})
    assert form.is_valid()
    assert form.cleaned_data["on"] is None


def test_an_initial_date_is_shown_in_its_boxes():
    form = ExampleForm(initial={"date_of_birth": dt.date(2015, 3, 27)})
    html = str(form["date_of_birth"].as_field_group())
    assert 'value="27"' in html and 'value="3"' in html and 'value="2015"' in html


# --- The field template -------------------------------------------------------


def test_a_field_with_an_error_is_linked_to_its_message():
    form = bound(name="")
    assert not form.is_valid()
    html = group_for(str(form), "id_name")
    assert "govuk-form-group govuk-form-group--error" in html
    assert (
        '<p id="id_name-error" class="govuk-error-message">'
        '<span class="govuk-visually-hidden">Error:</span> Enter the full name</p>'
    ) in html
    assert 'class="govuk-input govuk-input--error"' in html
    assert 'aria-describedby="id_name-hint id_name-error"' in html
    assert '<label class="govuk-label" for="id_name">Full name</label>' in html
    assert '<div id="id_name-hint" class="govuk-hint">As it appears on their records</div>' in html


def test_a_field_without_an_error_has_no_error_markup():
    html = group_for(str(bound()), "id_name")
    assert "govuk-error-message" not in html
    assert "--error" not in html
    assert 'aria-describedby="id_name-hint"' in html


def test_every_kind_of_widget_gets_govuk_markup_and_keeps_its_value():
    form = bound(
        name="",
        notes="Seen at the gate",
        agency="h",
        risk="high",
        kinds=["b"],
        agreed="on",
    )
    assert not form.is_valid()
    html = str(form)
    assert 'class="govuk-textarea"' in html and "Seen at the gate</textarea>" in html
    assert 'class="govuk-select"' in html and '<option value="h" selected>' in html
    risk = group_for(html, "id_risk")
    assert '<legend class="govuk-fieldset__legend' in risk
    assert 'class="govuk-radios"' in risk
    assert 'id="id_risk_2" name="risk" type="radio" value="high" checked' in risk
    kinds = group_for(html, "id_kinds")
    assert 'class="govuk-checkboxes' in kinds
    assert 'id="id_kinds_1" name="kinds" type="checkbox" value="b" checked' in kinds
    agreed = group_for(html, "id_agreed")
    assert 'class="govuk-checkboxes__input" id="id_agreed" name="agreed"' in agreed
    assert "checked" in agreed
    dob = group_for(html, "id_date_of_birth")
    assert 'class="govuk-fieldset" role="group"' in dob
    assert 'class="govuk-date-input"' in dob


def test_radios_with_an_error_describe_the_fieldset():
    form = bound(risk="")
    html = group_for(str(form), "id_risk")
    assert 'class="govuk-fieldset" aria-describedby="id_risk-error"' in html
    assert 'id="id_risk-error" class="govuk-error-message"' in html


# --- The error summary --------------------------------------------------------


def test_the_error_summary_links_to_each_field_and_lists_form_errors():
    class WithFormError(ExampleForm):
        def clean(self):
            raise forms.ValidationError("Give a date of birth or an age")

    form = WithFormError(data={"risk": "low", "agency": "p"})
    assert not form.is_valid()
    html = render_to_string("includes/error_summary.html", {"form": form})
    assert 'data-module="govuk-error-summary"' in html
    assert "There is a problem" in html
    assert "<li>Give a date of birth or an age</li>" in html
    assert '<a href="#id_name">Enter the full name</a>' in html
    assert '<a href="#id_date_of_birth_0">Enter the date of birth</a>' in html


def test_no_error_summary_without_errors():
    assert render_to_string("includes/error_summary.html", {"form": bound()}).strip() == ""


# --- Sign-in page -------------------------------------------------------------


@pytest.mark.django_db
def test_the_sign_in_page_has_username_and_password(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Sign in</h1>' in html
    assert 'name="username"' in html and 'autocomplete="username"' in html
    assert 'name="password"' in html and 'type="password"' in html
    assert 'autocomplete="current-password"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    # Works without JavaScript: no inline script or style anywhere.
    assert "<script>" not in html and "style=" not in html
    assert "govuk-frontend-supported" not in html


@pytest.mark.django_db
def test_a_failed_sign_in_shows_the_error_summary_and_keeps_the_username(client):
    response = client.post("/accounts/login/", {"username": "nobody", "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Sign in – Safeguard</title>" in html
    assert 'data-module="govuk-error-summary"' in html
    assert '<a href="#id_username">Enter a correct username and password' in html
    assert 'value="nobody"' in html
    assert 'aria-describedby="id_username-hint id_username-error"' in html
    assert "wrong" not in html


@pytest.mark.django_db
def test_an_empty_sign_in_asks_for_each_field(client):
    html = client.post("/accounts/login/", {"username": "", "password": ""}).content.decode()
    assert '<a href="#id_username">Enter your username</a>' in html
    assert '<a href="#id_password">Enter your password</a>' in html


# --- Navigation and error pages ------------------------------------------------


def test_anonymous_people_get_no_navigation():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert navigation.service_nav(request) == []


def test_navigation_skips_pages_that_do_not_exist_and_marks_the_current_area(
    monkeypatch, django_user_model
):
    items = [
        ("My work", "home", None),
        ("Not built yet", "no_such_page", None),
        ("My concerns", "concern_list", {"practitioner"}),
        ("Front door", "front_door", {"social_worker"}),
    ]
    monkeypatch.setattr(navigation, "_items", {})
    for position, (label, url_name, roles) in enumerate(items):
        navigation.register(label, url_name, roles=roles, position=position)
    request = RequestFactory().get("/concerns/123/")
    request.user = django_user_model(username="someone")
    nav = navigation.service_nav(request, roles={"practitioner"})
    assert [item["label"] for item in nav] == ["My work", "My concerns"]
    assert [item["active"] for item in nav] == [False, True]


def test_navigation_follows_the_script_prefix_it_is_served_under(django_user_model):
    """Each area's path is reversed once per prefix: a site served under
    /safeguard/ links there, and one served at the root links there."""
    from django.urls import set_script_prefix

    request = RequestFactory().get("/")
    request.user = django_user_model(username="someone")
    try:
        set_script_prefix("/safeguard/")
        served = {
            item["label"]: item["url"]
            for item in navigation.service_nav(request, roles={"practitioner", "social_worker"})
        }
        set_script_prefix("/")
        root = {
            item["label"]: item["url"]
            for item in navigation.service_nav(request, roles={"practitioner", "social_worker"})
        }
    finally:
        set_script_prefix("/")
    assert served and served.keys() == root.keys()
    for label, url in root.items():
        assert served[label] == "/safeguard" + url


def test_the_server_error_page_needs_no_context():
    html = get_template("500.html").render()
    assert "Sorry, there is a problem with the service" in html
    assert "/static/build/app.css" in html
    assert "<script" not in html and "style=" not in html


@pytest.mark.django_db
def test_page_not_found_reveals_nothing(client, settings):
    settings.DEBUG = False
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in html
    assert "no/such/page" not in html


@pytest.mark.django_db
def test_password_change_speaks_plainly(client, django_user_model):
    user = django_user_model.objects.create_user(username="someone", password="a-long-password-1")
    client.force_login(user)
    response = client.post("/accounts/password_change/", {"old_password": "wrong"})
    html = response.content.decode()
    assert '<a href="#id_old_password">Your current password is not right.' in html
    assert '<a href="#id_new_password1">Enter a new password</a>' in html
    assert '<label class="govuk-label" for="id_new_password2">Confirm new password</label>' in html
    assert 'autocomplete="current-password"' in html
