"""Orders made for a browser test through the services, in the live server's
database (a `manage.py shell` against its environment): a printed order with
its copy, an order out with a worker since a given time, an urgent order for
the demo field worker."""

import json
import subprocess
import sys

from tests.e2e.conftest import ROOT

SETUP = """
import datetime, json
from django.contrib.auth import get_user_model
from django.utils import timezone
from dispatch.models import Resident, ServiceItem, Worker
from printing.services import order_print_pdf
from workorders import services as orders
from workorders.models import WorkOrder

User = get_user_model()
desk, dispatcher = User.objects.get(username="frontdesk"), User.objects.get(username="dispatcher")
state, code, worker_name, urgency, out_minutes, agreed_hours = {state!r}, {code!r}, {worker!r}, {urgency!r}, {out_minutes!r}, {agreed_hours!r}
if code:
    service = ServiceItem.objects.get(code=code)
else:
    service = ServiceItem.objects.filter(active=True, approval="", required_skill__isnull=False).order_by("code").first()
resident = next(r for r in Resident.objects.filter(active=True, area__served=True).order_by("id")
                if r.has_valid_card() and r.emergency_contacts.exists())
if worker_name:
    worker = Worker.objects.get(name=worker_name)
else:
    worker = Worker.objects.filter(active=True, skills=service.required_skill_id).order_by("id").first()
requested_for = timezone.now() + datetime.timedelta(hours=agreed_hours) if agreed_hours is not None else None
order = orders.order_create(actor=desk, resident=resident, service=service, channel="phone", urgency=urgency,
                            requested_for=requested_for)
orders.order_assign(actor=dispatcher, order_id=order.pk, worker_id=worker.pk)
if state in ("printed", "in_service"):
    order_print_pdf(actor=desk, order_id=order.pk, language="en")
if state == "in_service":
    orders.order_collect(actor=desk, order_id=order.pk)
    if out_minutes:
        WorkOrder.objects.filter(pk=order.pk).update(
            collected_at=timezone.now() - datetime.timedelta(minutes=out_minutes))
order = WorkOrder.objects.get(pk=order.pk)
contact = resident.emergency_contacts.order_by("id").first()
print(json.dumps({{
    "id": order.pk, "number": order.number, "state": order.state,
    "collected_at": timezone.localtime(order.collected_at).strftime("%Y-%m-%dT%H:%M") if order.collected_at else None,
    "contact": {{"name": contact.name, "relation": contact.relation, "phone": str(contact.phone)}},
}}))
"""


def make_order(server, state: str, *, code: str = "", worker: str = "", urgency: str = "normal",
               out_minutes: int = 0, agreed_hours: float | None = None) -> dict:
    """An order in `state` (assigned, printed with its first copy, or in
    service), for a demo resident with a valid card and an emergency contact."""
    code_text = SETUP.format(state=state, code=code, worker=worker, urgency=urgency, out_minutes=out_minutes,
                             agreed_hours=agreed_hours)
    done = subprocess.run([sys.executable, "manage.py", "shell", "-c", code_text], cwd=ROOT, env=server.env,
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])
