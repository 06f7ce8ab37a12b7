from django.db import migrations

from core.roles import sync_roles_in_migration


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("followup", "0002_roles"),
        ("workorders", "0003_followup_transitions"),
    ]

    operations = [migrations.RunPython(sync_roles_in_migration, migrations.RunPython.noop)]
