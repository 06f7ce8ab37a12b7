"""The follow-up transitions' permissions (log_followup, resolve,
close_unreachable), granted to the roles as `0002_roles` does."""

from django.db import migrations, models

from core.roles import sync_roles_in_migration


class Migration(migrations.Migration):

    dependencies = [
        ('workorders', '0002_roles'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='workorder',
            options={'ordering': ['-created_at', '-id'], 'permissions': [('view_all_workorders', "Can see every work order, not only one's own"), ('request_approval_workorder', 'Can ask for approval'), ('approve_workorder', 'Can approve or reject'), ('assign_workorder', 'Can assign, reassign and redispatch'), ('print_workorder', 'Can print work orders'), ('collect_workorder', 'Can hand out printed orders'), ('emergency_start_workorder', 'Can start an urgent order at once'), ('return_workorder', 'Can take back returned orders'), ('cancel_workorder', 'Can cancel work orders'), ('settle_fee_workorder', 'Can settle fees'), ('log_followup_workorder', 'Can log follow-up calls and close unreachable orders'), ('resolve_workorder', 'Can resolve escalated orders')], 'verbose_name': 'work order', 'verbose_name_plural': 'work orders'},
        ),
        migrations.AlterField(
            model_name='workorder',
            name='closing_reason',
            field=models.CharField(blank=True, help_text='Why it was rejected, cancelled or closed without a follow-up', max_length=255, verbose_name='reason'),
        ),
        migrations.RunPython(sync_roles_in_migration, migrations.RunPython.noop),
    ]
