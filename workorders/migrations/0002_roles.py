"""Create the roles of DESIGN.md section 2 as groups with their permissions.

Permissions are normally created after all migrations ran; they are created
here first so the groups can be granted them on a fresh database.
"""

from django.db import migrations

from core.roles import sync_roles_in_migration


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("dispatch", "0001_initial"),
        ("workorders", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync_roles_in_migration, migrations.RunPython.noop)]
