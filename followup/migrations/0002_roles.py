"""Grant the roles their follow-up permissions (dispatch.roles.ROLE_PERMISSIONS),
as `workorders.0002_roles` does."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant_followup_permissions(apps, schema_editor):
    from dispatch.roles import sync_role_groups

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    # skip_missing: an app migrated after this one may still add permissions to
    # the roles; its own migration syncs again.
    sync_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"), skip_missing=True)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("followup", "0001_initial"),
        ("workorders", "0003_followup_transitions"),
    ]

    operations = [migrations.RunPython(grant_followup_permissions, migrations.RunPython.noop)]
