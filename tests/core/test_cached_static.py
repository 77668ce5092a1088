"""The project's ``static`` tag remembers each URL for the process
(safeguard/core/templatetags/cached_static.py): it must write what Django's
writes, forget when the static settings change, and be the one every
project template loads."""

from pathlib import Path

from django.conf import settings
from django.template import Context, Template
from django.test import override_settings

ASSETS = ("build/app.css", "js/app.js", "build/assets/images/favicon.svg")


def _render(library: str, text: str) -> str:
    return Template("{% load " + library + " %}" + text).render(Context())


def test_it_writes_what_djangos_tag_writes():
    for path in ASSETS:
        tag = "{% static '" + path + "' %}"
        assert _render("cached_static", tag) == _render("static", tag)
        named = "{% static '" + path + "' as url %}[{{ url }}]"
        assert _render("cached_static", named) == _render("static", named)


def test_a_change_of_static_settings_is_not_answered_from_memory():
    tag = "{% static 'build/app.css' %}"
    before = _render("cached_static", tag)
    with override_settings(STATIC_URL="/elsewhere/"):
        moved = _render("cached_static", tag)
        assert moved == _render("static", tag)
        assert moved.startswith("/elsewhere/")
    assert _render("cached_static", tag) == before


def test_no_project_template_loads_djangos_static_library():
    loading = [
        str(path.relative_to(settings.BASE_DIR))
        for path in Path(settings.BASE_DIR, "templates").rglob("*.html")
        if "{% load static" in path.read_text()
    ]
    assert loading == []
