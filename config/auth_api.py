"""Token revocation: a lost phone or a leaving worker's token stops working
at once. Tokens are issued at POST /api/v1/auth/token/ (DRF's view)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView


class RevokeTokenView(APIView):
    """Delete the caller's token (or, for a session caller, their token if any)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
