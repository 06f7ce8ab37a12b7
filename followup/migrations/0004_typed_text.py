import core.models
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('followup', '0003_sane_visit_time'),
    ]

    operations = [
        # Bounds and cleaning of typed text (core.models, core.text): the forms,
        # the API and the models check them; the columns do not change.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='escalation',
                    name='outcome',
                    field=core.models.TypedText(blank=True, max_length=4000, verbose_name='outcome'),
                ),
                migrations.AlterField(
                    model_name='escalationaction',
                    name='note',
                    field=core.models.TypedText(blank=True, max_length=4000, verbose_name='note'),
                ),
                migrations.AlterField(
                    model_name='followupcall',
                    name='comments',
                    field=core.models.TypedText(blank=True, max_length=4000, verbose_name='comments'),
                ),
                migrations.AlterField(
                    model_name='followupcall',
                    name='needs_more_what',
                    field=core.models.TypedText(blank=True, max_length=2000, verbose_name='what else is needed'),
                ),
                migrations.AlterField(
                    model_name='periodicvisit',
                    name='findings',
                    field=core.models.TypedText(blank=True, max_length=4000, verbose_name='findings'),
                ),
                migrations.AlterField(
                    model_name='periodicvisit',
                    name='reason',
                    field=core.models.TypedLine(blank=True, max_length=255, verbose_name='reason'),
                ),
                migrations.AlterField(
                    model_name='spotcheckitem',
                    name='note',
                    field=core.models.TypedText(blank=True, max_length=4000, verbose_name='note'),
                ),
            ],
        ),
    ]
