import core.models
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('workorders', '0008_sane_times'),
    ]

    operations = [
        # Bounds and cleaning of typed text (core.models, core.text): the forms,
        # the API and the models check them; the columns do not change.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='incident',
                    name='note',
                    field=core.models.TypedText(blank=True, max_length=2000, verbose_name='what happened'),
                ),
                migrations.AlterField(
                    model_name='orderhistory',
                    name='note',
                    field=core.models.TypedText(blank=True, max_length=4000, verbose_name='note'),
                ),
                migrations.AlterField(
                    model_name='workorder',
                    name='card_override_reason',
                    field=core.models.TypedLine(blank=True, max_length=255, verbose_name='reason for serving without a valid card'),
                ),
                migrations.AlterField(
                    model_name='workorder',
                    name='closing_reason',
                    field=core.models.TypedLine(blank=True, help_text='Why it was rejected, cancelled or closed without a follow-up', max_length=255, verbose_name='reason'),
                ),
                migrations.AlterField(
                    model_name='workorder',
                    name='materials',
                    field=core.models.TypedText(blank=True, max_length=2000, verbose_name='materials used'),
                ),
                migrations.AlterField(
                    model_name='workorder',
                    name='notes',
                    field=core.models.TypedText(blank=True, max_length=2000, verbose_name='special instructions'),
                ),
                migrations.AlterField(
                    model_name='workorder',
                    name='remarks',
                    field=core.models.TypedText(blank=True, max_length=2000, verbose_name='remarks'),
                ),
            ],
        ),
    ]
