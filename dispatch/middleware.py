"""The interface language of a logged-in person is the one they chose, whatever
desk they sit at (DESIGN.md section 9: chosen per user, or by the browser)."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from dispatch.models import UserPreference

# The session keeps the preference so that only a session's first request reads it.
SESSION_KEY = "user_language"


def remember_language(request: HttpRequest, language: str) -> None:
    """Put a just-chosen language into the session (the preference row is the service's)."""
    request.session[SESSION_KEY] = language


class UserLanguageMiddleware:
    """After LocaleMiddleware and authentication: a session's first request
    takes the user's stored preference and hands it to the language cookie,
    which decides from then on, as for everyone else (the cookie's or the
    browser's language). The language switch sets the cookie and the
    preference together. The session only marks that the preference was
    read: with every request saving the session, a request in flight from
    the page before a switch would otherwise write the old language back.
    API calls with a token are not touched (no session user here)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = ""
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            if SESSION_KEY not in request.session:
                language = UserPreference.objects.filter(user=user).values_list("language", flat=True).first() or ""
                request.session[SESSION_KEY] = language
                if language:
                    translation.activate(language)
                    request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
