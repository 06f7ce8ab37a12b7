"""The roll-up keeps pairs of filter values too (dimension "area+channel"):
a longer dimension name, and every day rolled up again by the next refreshes
(until then the base tables answer), a few days a pass; the days seen
changed that a pass leaves to the next are kept. The index by figure, a third of the
table's size, now holds the weekly series' figures alone."""

from django.db import migrations, models


def roll_up_again(apps, schema_editor):
    apps.get_model("reports", "RollupState").objects.update(rolled_through=None)


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0004_deadline_partial_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="dailyfigure",
            name="daily_figure_by_figure",
        ),
        migrations.AddIndex(
            model_name="dailyfigure",
            index=models.Index(
                condition=models.Q(
                    ("figure__in", ["orders", "outcome:served", "outcome:cannot_serve", "outcome:no_card", "outcome:out_of_area"])
                ),
                fields=["dimension", "key", "figure", "day"], include=("count",), name="daily_figure_weekly",
            ),
        ),
        migrations.AlterField(
            model_name="dailyfigure",
            name="dimension",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AddField(
            model_name="rollupstate",
            name="stale_days",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(roll_up_again, migrations.RunPython.noop),
    ]
