"""Logging in from outside: API tokens, issued at POST /api/v1/auth/token/
(DRF's view, with the project's parsers) and revoked at POST
/api/v1/auth/token/revoke/ so that a lost phone or a leaving worker's token
stops working at once; and the count of failed logins that locks both doors,
this one and the login page (django-axes, AXES_HANDLER)."""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.error_pages import locked_out
from core.rest import EmptyInput, JSONParser


class TokenCredentials(AuthTokenSerializer):
    """DRF's credentials, bounded: a megabyte of password would be hashed."""

    username = serializers.CharField(label=_("Username"), max_length=150, write_only=True)
    password = serializers.CharField(label=_("Password"), max_length=256, style={"input_type": "password"},
                                     trim_whitespace=False, write_only=True)


class ObtainTokenView(ObtainAuthToken):
    # DRF's view lists its parsers itself; these are the project's.
    parser_classes = [FormParser, MultiPartParser, JSONParser]
    serializer_class = TokenCredentials

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            # django-axes marks a login refused for being locked (this failure
            # reached the limit, or it was locked already); DRF's view would
            # answer it as wrong credentials, and the client would try again.
            if getattr(request, "axes_locked_out", False):
                return locked_out(request)
            raise


class RevokeTokenView(APIView):
    """Delete the caller's token (or, for a session caller, their token if any)."""

    # It reads nothing: a body, if any, is JSON (an empty object).
    parser_classes = [JSONParser]

    @extend_schema(request=EmptyInput, responses={204: None})
    def post(self, request):
        EmptyInput.check(request)
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class LoginFailures(AxesDatabaseHandler):
    """django-axes' count of failed logins, with a second limit: a username is
    locked from one address after AXES_FAILURE_LIMIT failures there, and from
    every address after AXES_USERNAME_FAILURE_LIMIT failures from any of them
    within the cool-off. The first alone lets a guesser with many addresses
    try without end; the second alone would let anyone lock a desk out with a
    handful of wrong passwords, so it is set higher."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        from_this_address = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        username = get_client_username(request, credentials)
        if from_this_address >= limit or username is None:
            return from_this_address
        from_anywhere = AccessAttempt.objects.filter(
            username=username, attempt_time__gte=get_cool_off_threshold(request)
        ).aggregate(failures=Sum("failures_since_start"))["failures"] or 0
        if from_anywhere >= settings.AXES_USERNAME_FAILURE_LIMIT:
            return limit
        return from_this_address
