"""The home page, which sends each role to its screen, and the language switch
that remembers the choice for the login (not only for the browser)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from core.errors import InvalidInput
from dispatch import services
from dispatch.middleware import remember_language
from front.navigation import home_screen


@login_required
def home(request: HttpRequest) -> HttpResponse:
    screen = home_screen(request.user)
    if screen is not None:
        return redirect(screen.url)
    return render(request, "front/home.html")


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie, redirect to `next`), plus the login's own
    preference, so the next desk this person logs in at speaks their language."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated:
        try:
            services.user_language_set(actor=request.user, language=language)
        except InvalidInput:
            pass  # set_language ignores an unknown language the same way
        else:
            remember_language(request, language)
    return set_language(request)
