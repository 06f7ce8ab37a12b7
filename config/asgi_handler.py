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
"""

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class OneCrossingASGIHandler(ASGIHandler):
    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)
