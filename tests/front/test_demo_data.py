from collections import Counter

from django.contrib.auth.models import User
from django.core.management import call_command

from dispatch.models import PartnerUnit, Resident, ServiceArea, ServiceItem, Worker
from realtime.models import Event
from workorders.models import OrderHistory, WorkOrder


def _counts() -> tuple:
    return tuple(
        model.objects.count()
        for model in (User, ServiceArea, ServiceItem, Worker, PartnerUnit, Resident, WorkOrder, OrderHistory, Event)
    )


def test_demo_data_is_complete_and_idempotent(db):
    call_command("load_demo_data", stdout=open("/dev/null", "w"))
    first = _counts()
    call_command("load_demo_data", stdout=open("/dev/null", "w"))
    assert _counts() == first
    assert ServiceItem.objects.count() >= 20
    assert ServiceItem.objects.exclude(name_en="").count() == ServiceItem.objects.count()
    assert Resident.objects.count() == 50
    assert PartnerUnit.objects.count() == 2
    assert all(r.phones.filter(is_primary=True).count() == 1 for r in Resident.objects.all())
    states = Counter(WorkOrder.objects.values_list("state", flat=True))
    for state in ["received", "awaiting_approval", "approved", "rejected", "assigned", "printed", "in_service",
                  "returned", "cancelled"]:
        assert states[state] >= 1, state
    roles = {g for u in User.objects.all() for g in u.groups.values_list("name", flat=True)}
    assert roles == {"front_desk", "dispatcher", "dispatch_lead", "field_worker", "coordinator", "finance", "supervisor"}
    assert WorkOrder.objects.filter(paperwork_owed=True).exists()
