"""The demo data has subscriptions with their first orders and a red case."""

from django.core.management import call_command

from sla.models import OverdueMark
from sla.selectors import overdue_order_ids
from subscriptions.models import Subscription, SubscriptionOccurrence


def test_demo_data_has_subscriptions_and_an_overdue_order(db):
    call_command("load_demo_data", stdout=open("/dev/null", "w"))
    counts = (Subscription.objects.count(), SubscriptionOccurrence.objects.count(), OverdueMark.objects.count())
    assert counts[0] == 3
    assert overdue_order_ids()
    assert OverdueMark.objects.filter(level="supervisor").exists()
    call_command("load_demo_data", stdout=open("/dev/null", "w"))
    assert (Subscription.objects.count(), SubscriptionOccurrence.objects.count(), OverdueMark.objects.count()) == counts
