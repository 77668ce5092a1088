"""Error responses in the service's own shape: the API's JSON error body for
API paths, and the service's layout for pages (Django's bare "Bad Request
(400)" otherwise)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    too_big = type(exception).__name__ in {"RequestDataTooBig", "TooManyFieldsSent"}
    limit_kb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
    message = (
        f"What was sent is larger than this service accepts ({limit_kb} KB of text)."
        if too_big
        else "The request could not be understood."
    )
    if _is_api(request):
        return api_error(message, 400)
    return render(request, "400.html", {"message": message, "too_big": too_big}, status=400)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def api_error(detail: str, status: int) -> JsonResponse:
    """The API's error body (safeguard/core/api_errors.py) for answers Django
    gives before or after DRF (URL not found, oversize body, server error)."""
    return JsonResponse({"detail": detail, "errors": {}}, status=status)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return api_error("Not found.", 404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return api_error("Something went wrong on our side. Try again later.", 500)
    return defaults.server_error(request)
