"""The shared page layout's data: the nav links and role names of the user."""

from django import template

from front.navigation import role_labels, screens_for

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_screens(context) -> list[dict]:
    request = context["request"]
    current = request.path
    return [
        {"key": s.key, "label": s.label, "url": s.url, "current": current.startswith(s.url) and s.url != "/"}
        for s in screens_for(request.user)
    ]


@register.simple_tag(takes_context=True)
def user_roles(context) -> str:
    return ", ".join(role_labels(context["request"].user))
