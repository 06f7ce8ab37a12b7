import core.models
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('dispatch', '0005_access_printed'),
    ]

    operations = [
        # Bounds and cleaning of typed text (core.models, core.text): the forms,
        # the API and the models check them; the columns do not change.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='emergencycontact',
                    name='name',
                    field=core.models.NameOrAddress(max_length=100, verbose_name='name'),
                ),
                migrations.AlterField(
                    model_name='emergencycontact',
                    name='relation',
                    field=core.models.TypedLine(max_length=40, verbose_name='relation'),
                ),
                migrations.AlterField(
                    model_name='intakerecord',
                    name='notes',
                    field=core.models.TypedText(blank=True, max_length=2000, verbose_name='notes'),
                ),
                migrations.AlterField(
                    model_name='intakerecord',
                    name='referred_to',
                    field=core.models.TypedLine(blank=True, max_length=255, verbose_name='referred to'),
                ),
                migrations.AlterField(
                    model_name='partnerunit',
                    name='contact_person',
                    field=core.models.NameOrAddress(max_length=100, verbose_name='contact person'),
                ),
                migrations.AlterField(
                    model_name='partnerunit',
                    name='name',
                    field=core.models.NameOrAddress(max_length=120, unique=True, verbose_name='name'),
                ),
                migrations.AlterField(
                    model_name='resident',
                    name='access_notes',
                    field=core.models.TypedText(blank=True, max_length=2000, verbose_name='access notes'),
                ),
                migrations.AlterField(
                    model_name='resident',
                    name='address',
                    field=core.models.NameOrAddress(max_length=255, verbose_name='address'),
                ),
                migrations.AlterField(
                    model_name='resident',
                    name='health_notes',
                    field=core.models.TypedText(blank=True, max_length=2000, verbose_name='health notes'),
                ),
                migrations.AlterField(
                    model_name='resident',
                    name='name',
                    field=core.models.NameOrAddress(max_length=100, verbose_name='name'),
                ),
                migrations.AlterField(
                    model_name='residentphone',
                    name='label',
                    field=core.models.TypedLine(blank=True, max_length=40, verbose_name='label'),
                ),
                migrations.AlterField(
                    model_name='servicearea',
                    name='name',
                    field=core.models.NameOrAddress(max_length=100, unique=True, verbose_name='name'),
                ),
                migrations.AlterField(
                    model_name='serviceitem',
                    name='name',
                    field=core.models.NameOrAddress(max_length=120, verbose_name='name'),
                ),
                migrations.AlterField(
                    model_name='serviceitem',
                    name='name_en',
                    field=core.models.NameOrAddress(blank=True, max_length=120, verbose_name='name in English'),
                ),
                migrations.AlterField(
                    model_name='serviceitem',
                    name='procedure',
                    field=core.models.TypedText(blank=True, max_length=4000, verbose_name='procedure'),
                ),
                migrations.AlterField(
                    model_name='serviceitem',
                    name='standard',
                    field=core.models.TypedText(blank=True, max_length=4000, verbose_name='service standard'),
                ),
                migrations.AlterField(
                    model_name='skill',
                    name='name',
                    field=core.models.NameOrAddress(max_length=100, verbose_name='name'),
                ),
                migrations.AlterField(
                    model_name='worker',
                    name='name',
                    field=core.models.NameOrAddress(max_length=100, verbose_name='name'),
                ),
            ],
        ),
    ]
