import core.models
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('sla', '0001_initial'),
    ]

    operations = [
        # Bounds and cleaning of typed text (core.models, core.text): the forms,
        # the API and the models check them; the columns do not change.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='closure',
                    name='reason',
                    field=core.models.TypedLine(max_length=200, verbose_name='reason'),
                ),
            ],
        ),
    ]
