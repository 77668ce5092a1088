"""``{% load cached_static %}``: Django's ``static`` tag, each path's URL
worked out once per process instead of on every page. The project's
templates load it in place of ``static`` (tests/core/test_cached_static.py
holds them to it).

Every page names six assets in base.html; with the manifest storage that
production uses (Dockerfile) each was a lookup of the hashed name and a join
of the URL, about a fortieth of a light page's Python. The storage's answers
cannot change while a process runs (the manifest is read once), and a test
that changes the static settings clears what was remembered."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import PrefixNode, StaticNode, get_media_prefix, get_static_prefix

register = template.Library()
register.tag("get_static_prefix", get_static_prefix)
register.tag("get_media_prefix", get_media_prefix)


@lru_cache(maxsize=1024)
def static_url(path: str) -> str:
    return StaticNode.handle_simple(path)


class CachedStaticNode(StaticNode):
    @classmethod
    def handle_simple(cls, path: str) -> str:
        return static_url(path)


@register.tag("static")
def do_static(parser, token) -> CachedStaticNode:
    """``{% static path [as varname] %}``, as Django's."""
    return CachedStaticNode.handle_token(parser, token)


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs) -> None:
    if setting in {"STATIC_URL", "STATIC_ROOT", "STORAGES", "STATICFILES_DIRS"}:
        static_url.cache_clear()


__all__ = ["PrefixNode", "register", "static_url"]
