"""One view (insert a row, group_send on commit) and one consumer (join the
group, encode and send each event itself)."""

import json

from asgiref.sync import async_to_sync
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.db import connection, transaction
from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

_table_ready = False


def _ensure_table() -> None:
    global _table_ready
    if not _table_ready:
        key = "BIGSERIAL PRIMARY KEY" if connection.vendor == "postgresql" else "INTEGER PRIMARY KEY AUTOINCREMENT"
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE IF NOT EXISTS floor_event (id {key}, at TEXT, data TEXT)")
        _table_ready = True


@csrf_exempt
def intake(request):
    _ensure_table()
    data = json.loads(request.body)
    at = timezone.now().isoformat()
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("INSERT INTO floor_event (at, data) VALUES (%s, %s) RETURNING id", [at, json.dumps(data)])
                row_id = cursor.fetchone()[0]
            else:
                cursor.execute("INSERT INTO floor_event (at, data) VALUES (%s, %s)", [at, json.dumps(data)])
                row_id = cursor.lastrowid
        data["id"] = row_id
        message = {"type": "floor.event", "id": row_id, "event": "order.received", "at": at, "data": data}
        transaction.on_commit(lambda: async_to_sync(get_channel_layer().group_send)("floor", message))
    return JsonResponse({"id": row_id}, status=201)


class FloorConsumer(AsyncWebsocketConsumer):
    groups = ["floor"]

    async def floor_event(self, message):
        # Encoded per consumer: the naive way, which the product avoids.
        body = {"type": "event", "id": message["id"], "event": message["event"], "at": message["at"],
                "data": message["data"]}
        await self.send(text_data=json.dumps(body, ensure_ascii=False))


urlpatterns = [path("intake/", intake)]
