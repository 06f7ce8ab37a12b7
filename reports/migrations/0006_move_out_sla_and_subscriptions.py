"""The service levels and the calendar move to the `sla` app, recurring
services to `subscriptions`: their tables are renamed and their rows kept;
`reports` keeps the statistics roll-up. The models' content types follow them,
so permissions and their grants stay; the statistics permissions, which sat on
the deadlines' model, stay with reports (on its daily figures)."""

from django.db import migrations

MOVED = {
    "closure": "sla",
    "openinghours": "sla",
    "servicelevel": "sla",
    "orderdeadline": "sla",
    "overduemark": "sla",
    "subscription": "subscriptions",
    "subscriptionhistory": "subscriptions",
    "subscriptionoccurrence": "subscriptions",
}
STATISTICS_PERMISSIONS = ["view_statistics", "view_fee_statistics"]


def move_content_types(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    permissions = apps.get_model("auth", "Permission")
    deadlines = content_types.objects.filter(app_label="reports", model="orderdeadline").first()
    if deadlines is not None:
        figures, _created = content_types.objects.get_or_create(app_label="reports", model="dailyfigure")
        permissions.objects.filter(content_type=deadlines, codename__in=STATISTICS_PERMISSIONS).update(
            content_type=figures
        )
    for model, app_label in MOVED.items():
        if not content_types.objects.filter(app_label=app_label, model=model).exists():
            content_types.objects.filter(app_label="reports", model=model).update(app_label=app_label)


def move_content_types_back(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    permissions = apps.get_model("auth", "Permission")
    for model, app_label in MOVED.items():
        content_types.objects.filter(app_label=app_label, model=model).update(app_label="reports")
    deadlines = content_types.objects.filter(app_label="reports", model="orderdeadline").first()
    if deadlines is not None:
        permissions.objects.filter(
            content_type__app_label="reports", content_type__model="dailyfigure",
            codename__in=STATISTICS_PERMISSIONS,
        ).update(content_type=deadlines)


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0005_rollup_pairs"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name=model, table=f"{app_label}_{model}") for model, app_label in MOVED.items()
            ],
            state_operations=[
                migrations.DeleteModel(
                    name='Closure',
                ),
                migrations.DeleteModel(
                    name='OpeningHours',
                ),
                migrations.RemoveField(
                    model_name='overduemark',
                    name='order',
                ),
                migrations.RemoveField(
                    model_name='servicelevel',
                    name='service',
                ),
                migrations.RemoveField(
                    model_name='subscription',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='subscription',
                    name='preferred_worker',
                ),
                migrations.RemoveField(
                    model_name='subscription',
                    name='resident',
                ),
                migrations.RemoveField(
                    model_name='subscription',
                    name='service',
                ),
                migrations.RemoveField(
                    model_name='subscriptionoccurrence',
                    name='subscription',
                ),
                migrations.RemoveField(
                    model_name='subscriptionhistory',
                    name='subscription',
                ),
                migrations.RemoveField(
                    model_name='subscriptionhistory',
                    name='actor',
                ),
                migrations.RemoveField(
                    model_name='subscriptionoccurrence',
                    name='order',
                ),
                migrations.DeleteModel(
                    name='OrderDeadline',
                ),
                migrations.DeleteModel(
                    name='OverdueMark',
                ),
                migrations.DeleteModel(
                    name='ServiceLevel',
                ),
                migrations.DeleteModel(
                    name='Subscription',
                ),
                migrations.DeleteModel(
                    name='SubscriptionHistory',
                ),
                migrations.DeleteModel(
                    name='SubscriptionOccurrence',
                ),
            ],
        ),
        migrations.AlterModelOptions(
            name='dailyfigure',
            options={'permissions': [('view_statistics', 'Can read service statistics'), ('view_fee_statistics', 'Can read fee statistics')], 'verbose_name': 'daily figure', 'verbose_name_plural': 'daily figures'},
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
