from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from safeguard.core.middleware import mark_renewed


@login_required
@require_POST
def keep_alive(request: HttpRequest) -> HttpResponse:
    """ "Stay signed in": renews the idle timer now, whenever it was last renewed."""
    mark_renewed(request.session)
    return HttpResponse(status=204)
