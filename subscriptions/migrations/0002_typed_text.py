import core.models
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('subscriptions', '0001_initial'),
    ]

    operations = [
        # Bounds and cleaning of typed text (core.models, core.text): the forms,
        # the API and the models check them; the columns do not change.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='subscription',
                    name='notes',
                    field=core.models.TypedText(blank=True, max_length=2000, verbose_name='special instructions'),
                ),
                migrations.AlterField(
                    model_name='subscriptionhistory',
                    name='note',
                    field=core.models.TypedText(blank=True, max_length=2000, verbose_name='note'),
                ),
                migrations.AlterField(
                    model_name='subscriptionoccurrence',
                    name='reason',
                    field=core.models.TypedLine(blank=True, max_length=255, verbose_name='reason'),
                ),
            ],
        ),
    ]
