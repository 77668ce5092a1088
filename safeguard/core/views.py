from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST


@login_required
@require_POST
def keep_alive(request: HttpRequest) -> HttpResponse:
    """ "Stay signed in": any request renews the idle timer (SESSION_SAVE_EVERY_REQUEST)."""
    return HttpResponse(status=204)
