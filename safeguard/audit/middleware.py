from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from safeguard.audit.context import RequestContext, current_request


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # REMOTE_ADDR is set by gunicorn from the proxy's connection; behind a
        # trusted proxy configure gunicorn's forwarded_allow_ips rather than
        # trusting X-Forwarded-For here.
        token = current_request.set(
            RequestContext(ip_address=request.META.get("REMOTE_ADDR"), path=request.path[:500])
        )
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
