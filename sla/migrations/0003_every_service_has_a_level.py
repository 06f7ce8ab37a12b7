from django.db import migrations


def create_missing_levels(apps, schema_editor):
    """Each service without a service level gets one: its response target in
    wall-clock minutes, no start target (what the deadlines counted for it)."""
    ServiceItem = apps.get_model("dispatch", "ServiceItem")
    ServiceLevel = apps.get_model("sla", "ServiceLevel")
    ServiceLevel.objects.bulk_create(
        ServiceLevel(service_id=pk, response_amount=max(minutes, 1), response_unit="minutes")
        for pk, minutes in ServiceItem.objects.filter(service_level__isnull=True).values_list(
            "pk", "response_target_minutes"
        )
    )


class Migration(migrations.Migration):

    dependencies = [
        ('sla', '0002_typed_text'),
        ('dispatch', '0001_initial'),
    ]

    operations = [
        # Reversing keeps the rows: they promise what the service promised.
        migrations.RunPython(create_missing_levels, migrations.RunPython.noop),
    ]
