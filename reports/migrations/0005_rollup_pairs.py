"""The roll-up keeps pairs of filter values too (dimension "area+channel"):
a longer dimension name, and every day rolled up again by the next refresh
(until then the base tables answer)."""

from django.db import migrations, models


def roll_up_again(apps, schema_editor):
    apps.get_model("reports", "RollupState").objects.update(rolled_through=None)


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0004_deadline_partial_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="dailyfigure",
            name="dimension",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.RunPython(roll_up_again, migrations.RunPython.noop),
    ]
