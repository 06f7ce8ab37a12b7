"""The coordinator's catalog and records (the admin): a service's deadlines
are set in one place, its service level, on the service's own page; the
calendar's list pages show the calendar in effect, defaults and public
holidays included; a service level is never deleted; the admin's widgets
speak the chosen language."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from freezegun import freeze_time

from dispatch.models import ServiceItem, UserPreference
from sla.models import Closure, OpeningHours, ServiceLevel, TargetUnit

pytestmark = pytest.mark.django_db



def _service_form(**extra) -> dict:
    data = {
        "code": "meal", "name": "Meal delivery", "name_en": "Meal delivery", "category": "life",
        "price": "12.00", "unit": "meal", "expected_minutes": "30",
        "service_level-TOTAL_FORMS": "1", "service_level-INITIAL_FORMS": "0",
        "service_level-MIN_NUM_FORMS": "1", "service_level-MAX_NUM_FORMS": "1",
        "service_level-0-response_amount": "3", "service_level-0-response_unit": "working_hours",
        "service_level-0-start_amount": "2", "service_level-0-start_unit": "working_days",
        # The price list's inline (dispatch), with no row: a new service's list starts with its price.
        "prices-TOTAL_FORMS": "0", "prices-INITIAL_FORMS": "0", "prices-MIN_NUM_FORMS": "0",
        "prices-MAX_NUM_FORMS": "1000",
    }
    data.update(extra)
    return data


def test_a_new_service_gets_its_level_from_its_own_page(client, coordinator, catalog):
    page = client.get(reverse("admin:dispatch_serviceitem_add"))
    assert page.status_code == 200
    content = page.content.decode()
    assert 'name="service_level-0-response_amount"' in content
    assert 'name="response_target_minutes"' not in content
    category = ServiceItem._meta.get_field("category").choices[0][0]
    response = client.post(reverse("admin:dispatch_serviceitem_add"), _service_form(category=category))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    service = ServiceItem.objects.get(code="meal")
    level = ServiceLevel.objects.get(service=service)
    assert (level.response_amount, level.response_unit) == (3, TargetUnit.WORKING_HOURS)
    assert (level.start_amount, level.start_unit) == (2, TargetUnit.WORKING_DAYS)


def test_the_service_page_edits_its_one_level(client, coordinator, catalog):
    service = catalog["clean"]
    level = ServiceLevel.objects.get(service=service)  # made with the service
    page = client.get(reverse("admin:dispatch_serviceitem_change", args=[service.pk]))
    content = page.content.decode()
    assert f'name="service_level-0-id" value="{level.pk}"' in content
    assert 'name="response_target_minutes"' not in content
    assert 'name="service_level-0-DELETE"' not in content


def test_every_service_has_exactly_one_level(catalog):
    for service in ServiceItem.objects.all():
        assert ServiceLevel.objects.filter(service=service).count() == 1
    made = ServiceItem.objects.create(code="bath", name="Bathing help", price=Decimal("0"), response_target_minutes=90)
    level = ServiceLevel.objects.get(service=made)
    assert (level.response_amount, level.response_unit, level.start_amount) == (90, TargetUnit.MINUTES, None)


def test_the_migration_gives_a_level_to_each_service_without_one(catalog):
    ServiceLevel.objects.filter(service=catalog["wound"]).delete()
    catalog["wound"].response_target_minutes = 45
    catalog["wound"].save()
    kept = ServiceLevel.objects.get(service=catalog["clean"])
    migration = importlib.import_module("sla.migrations.0003_every_service_has_a_level")
    migration.create_missing_levels(django_apps, None)
    level = ServiceLevel.objects.get(service=catalog["wound"])
    assert (level.response_amount, level.response_unit) == (45, TargetUnit.MINUTES)
    assert ServiceLevel.objects.get(service=catalog["clean"]) == kept
    assert ServiceLevel.objects.count() == ServiceItem.objects.count()


def test_a_service_level_is_edited_but_never_added_or_deleted_alone(client, coordinator, catalog, users):
    level = ServiceLevel.objects.get(service=catalog["clean"])
    assert not coordinator.has_perm("sla.delete_servicelevel")
    assert client.get(reverse("admin:sla_servicelevel_delete", args=[level.pk])).status_code == 403
    assert client.post(reverse("admin:sla_servicelevel_delete", args=[level.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:sla_servicelevel_add")).status_code == 403
    changed = client.post(reverse("admin:sla_servicelevel_change", args=[level.pk]), {
        "response_amount": "5", "response_unit": "working_days", "start_amount": "", "start_unit": "working_days",
    })
    assert changed.status_code == 302
    level.refresh_from_db()
    assert (level.response_amount, level.response_unit, level.service) == (5, "working_days", catalog["clean"])
    # Not even a superuser, nor in bulk from the list.
    client.force_login(users["coordinator"].__class__.objects.create_superuser("root", password="pw-root"))
    assert client.post(reverse("admin:sla_servicelevel_delete", args=[level.pk]), {"post": "yes"}).status_code == 403
    listing = client.get(reverse("admin:sla_servicelevel_changelist"))
    assert b'value="delete_selected"' not in listing.content
    assert ServiceLevel.objects.filter(pk=level.pk).exists()


@freeze_time("2026-01-01 10:00:00+08:00")
@pytest.mark.parametrize("language,holiday", [("en", "Chinese New Year (Spring Festival)"), ("zh-hans", "春节")])
def test_the_calendar_lists_show_the_calendar_in_effect(client, coordinator, language, holiday):
    OpeningHours.objects.create(weekday=0, opens=datetime.time(9, 0), closes=datetime.time(12, 0))
    Closure.objects.create(first_day=datetime.date(2026, 3, 2), last_day=datetime.date(2026, 3, 3), reason="Staff days")
    for url in (reverse("admin:sla_openinghours_changelist"), reverse("admin:sla_closure_changelist")):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert page.status_code == 200
        content = page.content.decode()
        assert 'id="effective-calendar"' in content
        # Monday from its row; Tuesday works the default hours, and says so.
        monday = content.split('data-weekday="0"')[1].split("</tr>")[0]
        assert "09:00–12:00" in monday and "<strong>" not in monday
        tuesday = content.split('data-weekday="1"')[1].split("</tr>")[0]
        assert "08:30–17:30" in tuesday and "<strong>" in tuesday
        # The public holidays by name, the weekend day worked instead, the closure.
        assert 'class="holiday" data-date="2026-02-17"' in content and holiday in content
        assert 'class="workday" data-date="2026-01-04"' in content
        assert 'class="closure" data-date="2026-03-02"' in content and "Staff days" in content


@pytest.mark.parametrize("language,today", [("zh-hans", "\\u4eca\\u5929"), ("sv", "I dag")])
def test_the_admin_widgets_speak_the_login_s_language(client, coordinator, language, today):
    # The language chosen at any desk (the preference), whatever the browser says.
    UserPreference.objects.update_or_create(user=coordinator, defaults={"language": language})
    catalog = client.get(reverse("admin:jsi18n"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'"Today": "{today}"' in catalog


def test_the_demo_sets_its_service_levels_on_the_levels_its_services_came_with(db):
    from django.core.management import call_command

    call_command("load_demo_data", stdout=open("/dev/null", "w"))
    assert ServiceLevel.objects.count() == ServiceItem.objects.count()
    levels = {lvl.service.code: lvl for lvl in ServiceLevel.objects.select_related("service")}
    assert (levels["clean-home"].response_amount, levels["clean-home"].response_unit) == (4, "working_hours")
    assert (levels["grab-bar"].start_amount, levels["grab-bar"].start_unit) == (10, "working_days")
    assert (levels["transport"].response_amount, levels["transport"].response_unit) == (3, "minutes")
    # The others promise their response target in minutes, as before.
    for code in levels.keys() - {"clean-home", "repair-water", "grab-bar", "transport"}:
        service = levels[code].service
        assert (levels[code].response_amount, levels[code].response_unit) == (service.response_target_minutes, "minutes")


@pytest.mark.parametrize("language,word", [("zh-hans", '"one letter Monday\\u0004M": "\\u4e00"'), ("sv", '"6 p.m.": "18:00"')])
def test_the_widget_words_djangos_catalogs_leave_in_english_are_ours(client, coordinator, language, word):
    # locale/<lang>/LC_MESSAGES/djangojs.po: the weekday letters, the evening's hour.
    UserPreference.objects.update_or_create(user=coordinator, defaults={"language": language})
    assert word in client.get(reverse("admin:jsi18n")).content.decode()
