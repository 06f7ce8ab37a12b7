"""Django's own error answers (an unknown path, a body too large to read, a
failure outside DRF): HTML pages, and under /api/ JSON in the shape of
`core.exception_handler` (DESIGN.md section 7). config.urls names them as
handler400 to handler500."""

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


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
