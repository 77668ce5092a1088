"""Template helpers for PDF case summaries, so the case page offers the entry
point without its view having to know about summaries."""

from django import template

from cases.summaries import can_request_summary

register = template.Library()


@register.simple_tag(takes_context=True)
def may_request_summary(context, case) -> bool:
    request = context.get("request")
    return bool(request) and can_request_summary(request.user, case)
