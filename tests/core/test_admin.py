"""The admin pages of the catalog and people open, and the coordinator keeps
the catalog there; orders are read-only in the admin."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.urls import reverse


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", password="pw-root")


# Rows that only a service writes, and records (history, access logs): the
# admin lists them and adds none. Every other admin adds.
NO_ADD = {
    "axes.accessattempt", "axes.accessfailurelog", "axes.accesslog", "dispatch.residentaccess",
    "followup.escalation", "followup.followupcall", "followup.periodicvisit", "followup.spotcheck",
    "printing.printjob", "realtime.alert", "realtime.event", "sla.servicelevel", "subscriptions.subscription",
    "workorders.incident", "workorders.workorder",
}


def test_every_admin_list_page_opens_and_the_add_page_only_where_the_admin_adds(client, superuser, people):
    client.force_login(superuser)
    registered = {model._meta.label_lower: model._meta for model in admin.site._registry}
    assert NO_ADD <= set(registered)
    for label, opts in registered.items():
        assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == 200, label
        add = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        assert add.status_code == (403 if label in NO_ADD else 200), label


def test_the_coordinator_edits_the_catalog_but_not_residents(client, users, catalog, people):
    coordinator = users["coordinator"]
    coordinator.is_staff = True
    coordinator.save()
    client.force_login(coordinator)
    assert client.get(reverse("admin:dispatch_serviceitem_add")).status_code == 200
    assert client.get(reverse("admin:dispatch_serviceitem_change", args=[catalog["clean"].pk])).status_code == 200
    assert client.get(reverse("admin:dispatch_resident_changelist")).status_code == 403


def test_orders_cannot_be_edited_or_deleted_in_the_admin(client, superuser, order_in):
    order = order_in("assigned")
    client.force_login(superuser)
    assert client.get(reverse("admin:workorders_workorder_add")).status_code == 403
    page = client.get(reverse("admin:workorders_workorder_change", args=[order.pk]))
    assert page.status_code == 200
    assert b'name="state"' not in page.content
    assert client.post(reverse("admin:workorders_workorder_delete", args=[order.pk])).status_code == 403
