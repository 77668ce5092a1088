"""Who a signed-in person is in the service: their roles and memberships, and
which roles must sign in with a second factor.

The app that owns memberships (``agencies``) answers, by registering a
``Directory`` in its ``AppConfig.ready()``; ``safeguard`` names no domain app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Directory:
    roles_for: Callable[[Any], set[str]]
    memberships_for: Callable[[Any], Iterable[Any]]
    # Everyone who reaches case data signs in with two factors.
    two_factor_roles: frozenset[str]


_directory: Directory | None = None


def register_directory(directory: Directory) -> None:
    global _directory
    _directory = directory


def _require() -> Directory:
    if _directory is None:
        raise RuntimeError("No app registered the people directory (is 'agencies' installed?)")
    return _directory


def roles_for(user: Any) -> set[str]:
    return _require().roles_for(user)


def memberships_for(user: Any) -> Iterable[Any]:
    return _require().memberships_for(user)


def two_factor_roles() -> frozenset[str]:
    return _require().two_factor_roles
