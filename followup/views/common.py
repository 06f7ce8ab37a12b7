"""What every follow-up screen does the same way: the role check made against
the tuples of `dispatch.screens` (so the nav and the views agree), and a
service's error put next to the form's fields."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy

from dispatch.errors import DomainError
from dispatch.roles import has_role

YES_NO = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


def roles_required(*roles: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Log in first, then 403 unless the user holds one of `roles`."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def put_errors(form: forms.Form, exc: DomainError) -> None:
    """A service's field messages next to the form's fields; the rest on top."""
    for field, errors in (exc.fields or {"__all__": [exc.message]}).items():
        for error in errors:
            form.add_error(field if field in form.fields else None, str(error))
