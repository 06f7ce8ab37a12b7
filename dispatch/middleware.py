"""The interface language of a logged-in person is the one they chose, whatever
desk they sit at (DESIGN.md section 9: chosen per user, or by the browser)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from dispatch.models import UserPreference

# The session keeps the preference so that only a session's first request reads it.
SESSION_KEY = "user_language"


def remember_language(request: HttpRequest, language: str) -> None:
    """Put a just-chosen language into the session (the preference row is the service's)."""
    request.session[SESSION_KEY] = language


class UserLanguageMiddleware:
    """After LocaleMiddleware and authentication: a session user with a stored
    preference gets that language; everyone else keeps the cookie's or the
    browser's. API calls with a token are not touched (no session user here)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            language = request.session.get(SESSION_KEY)
            if language is None:
                language = UserPreference.objects.filter(user=user).values_list("language", flat=True).first() or ""
                request.session[SESSION_KEY] = language
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
