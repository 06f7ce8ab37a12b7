"""Django's ASGI handler, with every request's middleware and view run in one
call on the request's sync thread.

Under ASGI Django builds its middleware chain for the event loop: a sync-only
middleware in it makes the chain cross between the loop and the request's
thread at every boundary, and each async-capable `MiddlewareMixin` crosses for
its `process_request` and again for its `process_response`. Our middleware and
views are all sync, so a request crossed a dozen times where once would do
(py-spy on Daphne: about half the intake POST's CPU was those crossings).
Here the chain is loaded as WSGI loads it and entered once; the request keeps
Django's per-request thread (`ThreadSensitiveContext`) and database connection
handling, and the answer is sent as before (streaming included).

A body sent chunked (Transfer-Encoding: chunked, no Content-Length) reaches
the views whole: Daphne has de-chunked it and Django has read all of it
before the request is made, so its length is known and is given as
Content-Length. Without one Django's form parsing and DRF's parsers read no
body at all (DRF treats a missing length as an empty body), and the size
limit (core.middleware.RefuseOversizedBodies) saw nothing to refuse.
"""

import os

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


def with_body_length(scope: dict, body_file) -> dict:
    """The scope, with the Content-Length of the body read when the client sent none."""
    if any(name.lower() == b"content-length" for name, _value in scope.get("headers", ())):
        return scope
    size = body_file.seek(0, os.SEEK_END)
    body_file.seek(0)
    if not size:
        return scope
    return {**scope, "headers": [*scope.get("headers", ()), (b"content-length", str(size).encode("ascii"))]}


class OneCrossingASGIHandler(ASGIHandler):
    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    def create_request(self, scope, body_file):
        return super().create_request(with_body_length(scope, body_file), body_file)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)
