"""API tokens: issued at POST /api/v1/auth/token/ (DRF's view, with the
project's parsers), revoked at POST /api/v1/auth/token/revoke/ so that a lost
phone or a leaving worker's token stops working at once."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.rest import EmptyInput, JSONParser


class ObtainTokenView(ObtainAuthToken):
    # DRF's view lists its parsers itself; these are the project's.
    parser_classes = [FormParser, MultiPartParser, JSONParser]


class RevokeTokenView(APIView):
    """Delete the caller's token (or, for a session caller, their token if any)."""

    # It reads nothing: a body, if any, is JSON (an empty object).
    parser_classes = [JSONParser]

    @extend_schema(request=EmptyInput, responses={204: None})
    def post(self, request):
        EmptyInput.check(request)
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
