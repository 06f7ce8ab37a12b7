"""Django's own error answers (an unknown path, a body too large to read, a
failure outside DRF), the login lockout and the database being unavailable:
HTML pages, and under /api/ JSON in the shape of `core.exception_handler`
(DESIGN.md section 7). config.urls names them as handler400 to handler500;
config.settings names the lockout answer to django-axes."""

import math

from axes.helpers import get_cool_off
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import defaults

# How long a client waits before trying again when no database connection
# could be had: the pool replaces dropped connections within milliseconds,
# a restarting server takes a few seconds.
DATABASE_RETRY_AFTER_SECONDS = 5


def _api_error(request: HttpRequest, status_code: int, detail: str, code: str) -> HttpResponse | None:
    if not request.path.startswith("/api/"):
        return None
    return JsonResponse({"detail": detail, "code": code}, status=status_code)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        answer = _api_error(request, 413, _("The request is too large."), "too_large")
        return answer or HttpResponse(_("The request is too large."), status=413, content_type="text/plain")
    answer = _api_error(request, 400, _("The request could not be read."), "bad_request")
    return answer or defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    answer = _api_error(request, 403, _("You do not have permission to perform this action."), "permission_denied")
    return answer or defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _api_error(request, 404, _("Not found."), "not_found") or defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    answer = _api_error(request, 500, _("Something went wrong on our side; the error is logged."), "server_error")
    return answer or defaults.server_error(request)


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: nothing was done, the client may simply try again."""
    message = _("The service is unavailable for a moment; please try again shortly.")
    answer = _api_error(request, 503, message, "unavailable")
    answer = answer or HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    answer["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return answer


def locked_out(request: HttpRequest, original_response: HttpResponse | None = None,
               credentials: dict | None = None) -> HttpResponse:
    """django-axes' answer to a locked login (AXES_LOCKOUT_CALLABLE), and the
    token endpoint's: 429 with Retry-After, in the request's language; a page
    in the site's layout, or JSON under /api/. It says neither which limit
    was reached nor whether the username exists."""
    seconds = max(int(get_cool_off(request).total_seconds()), 60)
    minutes = math.ceil(seconds / 60)
    message = ngettext(
        "Too many failed logins: logging in is locked for %(minutes)d minute. Try again later, or ask an administrator to unlock it.",
        "Too many failed logins: logging in is locked for %(minutes)d minutes. Try again later, or ask an administrator to unlock it.",
        minutes,
    ) % {"minutes": minutes}
    answer = _api_error(request, 429, message, "locked_out")
    if answer is None:
        context = {"title": _("Logging in is locked"), "message": message, "back_to_login": _("Back to the login")}
        try:
            answer = render(request, "registration/locked_out.html", context, status=429)
        except TemplateDoesNotExist:
            answer = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    answer["Retry-After"] = str(seconds)
    return answer
