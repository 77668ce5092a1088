"""Error responses in the service's own shape: the API's JSON error body for
API paths, and the service's layout for pages (Django's bare "Bad Request
(400)" otherwise)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    too_big = type(exception).__name__ in {"RequestDataTooBig", "TooManyFieldsSent"}
    limit_kb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
    message = (
        f"What was sent is larger than this service accepts ({limit_kb} KB of text)."
        if too_big
        else "The request could not be understood."
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "errors": {}}, status=400)
    return render(request, "400.html", {"message": message, "too_big": too_big}, status=400)
