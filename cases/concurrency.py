"""Refusing a change made from a stale page, and saying what changed instead.

A form carries the version of what it was opened on. When someone else has
saved since, the change is refused (nothing is overwritten) and the person is
told, in words, what the other change was, so they can decide again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class StaleChange(Exception):
    """``current`` is the object as the other person left it; ``message`` says what they did."""

    current: Any
    message: str

    def __str__(self) -> str:
        return self.message


def person(user: Any) -> str:
    if user is None:
        return "someone"
    return user.get_full_name() or user.get_username()


class AlreadyDone(StaleChange):
    """Two people made the same one-off change at once (completed, authorised,
    ended): one did it, and the other is told who and when, never shown an
    error page. A subclass of ``StaleChange``, so every page and API call that
    handles a stale change handles this too."""


def on(moment: Any) -> str:
    """' on 2 March 2026' (with the time, for a datetime), or '' if unknown."""
    if moment is None:
        return ""
    if hasattr(moment, "hour"):
        from django.utils import timezone

        return f" on {timezone.localtime(moment):%-d %B %Y at %H:%M}"
    return f" on {moment:%-d %B %Y}"
