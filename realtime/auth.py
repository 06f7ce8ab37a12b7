"""WebSocket authentication by DRF token for clients without a session
(`/ws/board/?token=<key>`). The key is never logged: Daphne's access log is
kept to warnings in settings, and nothing here logs it."""

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser
from rest_framework.authtoken.models import Token


@database_sync_to_async
def _user_for_token(key: str):
    if not (key.isascii() and key.isalnum()):
        # Keys are hex digits; anything else (a NUL, which PostgreSQL text
        # cannot hold, would fail the query) is no token of ours.
        return AnonymousUser()
    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        return AnonymousUser()
    return token.user


class TokenAuthMiddleware:
    """When the query string carries `token`, the token decides who the user
    is (an unknown token is anonymous); otherwise the session does."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        query = parse_qs(scope.get("query_string", b"").decode("latin1"))
        keys = query.get("token")
        if keys:
            scope = dict(scope, user=await _user_for_token(keys[0]))
        return await self.app(scope, receive, send)
