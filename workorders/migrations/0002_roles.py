"""Create the roles of DESIGN.md section 2 as groups with their permissions.

Permissions are normally created after all migrations ran; they are created
here first so the groups can be granted them on a fresh database.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_roles(apps, schema_editor):
    from dispatch.roles import sync_role_groups

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    # Permissions of later migrations (workorders 0003, followup) do not exist
    # yet on a fresh database; those migrations sync the groups again.
    sync_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"), skip_missing=True)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("dispatch", "0001_initial"),
        ("workorders", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
