"""Who is acting and from where, for the audit rows written deeper down."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    path: str = ""


NO_REQUEST = RequestContext()  # frozen, so sharing it as the default is safe
current_request: ContextVar[RequestContext] = ContextVar(  # noqa: B039
    "current_request", default=NO_REQUEST
)
