"""Who is acting and from where, for the audit rows written deeper down."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    path: str = ""
    # Lookups about the acting person that several parts of one request make
    # (their roles and agencies: the navigation, the page, every audit row).
    # Only a request's own context keeps them: outside one, every call asks.
    memo: dict = field(default_factory=dict, compare=False)


def request_memo() -> dict | None:
    """This request's memo, or None outside a request."""
    ctx = current_request.get()
    return None if ctx is NO_REQUEST else ctx.memo


NO_REQUEST = RequestContext()  # frozen, so sharing it as the default is safe
current_request: ContextVar[RequestContext] = ContextVar(  # noqa: B039
    "current_request", default=NO_REQUEST
)
