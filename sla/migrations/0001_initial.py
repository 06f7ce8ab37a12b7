import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('reports', '0006_move_out_sla_and_subscriptions'),
        ('dispatch', '0004_user_preference'),
        ('workorders', '0006_stats_indexes'),
    ]

    operations = [
        # The tables exist already: reports.0006 renamed them.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Closure',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('first_day', models.DateField(verbose_name='first day')),
                        ('last_day', models.DateField(verbose_name='last day')),
                        ('reason', models.CharField(max_length=200, verbose_name='reason')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                    ],
                    options={
                        'verbose_name': 'closure',
                        'verbose_name_plural': 'closures',
                        'ordering': ['first_day', 'id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('last_day__gte', models.F('first_day'))), name='closure_period_order')],
                    },
                ),
                migrations.CreateModel(
                    name='OpeningHours',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('weekday', models.PositiveSmallIntegerField(choices=[(0, 'Monday'), (1, 'Tuesday'), (2, 'Wednesday'), (3, 'Thursday'), (4, 'Friday'), (5, 'Saturday'), (6, 'Sunday')], unique=True, verbose_name='weekday')),
                        ('opens', models.TimeField(verbose_name='opens')),
                        ('closes', models.TimeField(verbose_name='closes')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                    ],
                    options={
                        'verbose_name': 'opening hours',
                        'verbose_name_plural': 'opening hours',
                        'ordering': ['weekday'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('closes__gt', models.F('opens'))), name='opening_hours_order')],
                    },
                ),
                migrations.CreateModel(
                    name='OrderDeadline',
                    fields=[
                        ('order', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='deadline', serialize=False, to='workorders.workorder')),
                        ('dispatch_by', models.DateTimeField(null=True, verbose_name='dispatch by')),
                        ('start_by', models.DateTimeField(null=True, verbose_name='start by')),
                        ('followup_by', models.DateTimeField(null=True, verbose_name='follow-up by')),
                        ('dispatched_at', models.DateTimeField(null=True, verbose_name='dispatched at')),
                        ('started_at', models.DateTimeField(null=True, verbose_name='started at')),
                        ('followed_up_at', models.DateTimeField(null=True, verbose_name='followed up at')),
                        ('stage', models.CharField(blank=True, choices=[('dispatch', 'Dispatch'), ('start', 'Start of service'), ('followup', 'Follow-up call')], max_length=20, verbose_name='current stage')),
                        ('due_at', models.DateTimeField(null=True, verbose_name='due at')),
                        ('calendar_key', models.CharField(max_length=64)),
                        ('computed_at', models.DateTimeField(db_index=True)),
                    ],
                    options={
                        'verbose_name': 'order deadlines',
                        'verbose_name_plural': 'order deadlines',
                        'indexes': [models.Index(condition=models.Q(('due_at__isnull', False)), fields=['due_at', 'order', 'stage'], name='deadline_due_open'), models.Index(condition=models.Q(models.Q(('dispatch_by__isnull', False), ('dispatched_at__isnull', True)), models.Q(('start_by__isnull', False), ('started_at__isnull', True)), models.Q(('followed_up_at__isnull', True), ('followup_by__isnull', False)), _connector='OR'), fields=['order', 'dispatch_by', 'dispatched_at', 'start_by', 'started_at', 'followup_by', 'followed_up_at'], name='deadline_pending')],
                    },
                ),
                migrations.CreateModel(
                    name='ServiceLevel',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('response_amount', models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='dispatch within')),
                        ('response_unit', models.CharField(choices=[('minutes', 'Minutes'), ('working_hours', 'Working hours'), ('working_days', 'Working days')], default='minutes', max_length=20, verbose_name='unit')),
                        ('start_amount', models.PositiveIntegerField(blank=True, help_text='From the request; empty: only an agreed time is promised.', null=True, validators=[django.core.validators.MinValueValidator(1)], verbose_name='start within')),
                        ('start_unit', models.CharField(choices=[('minutes', 'Minutes'), ('working_hours', 'Working hours'), ('working_days', 'Working days')], default='working_days', max_length=20, verbose_name='start unit')),
                        ('service', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='service_level', to='dispatch.serviceitem', verbose_name='service')),
                    ],
                    options={
                        'verbose_name': 'service level',
                        'verbose_name_plural': 'service levels',
                        'ordering': ['service__code'],
                    },
                ),
                migrations.CreateModel(
                    name='OverdueMark',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('stage', models.CharField(choices=[('dispatch', 'Dispatch'), ('start', 'Start of service'), ('followup', 'Follow-up call')], max_length=20, verbose_name='stage')),
                        ('level', models.CharField(choices=[('dispatcher', 'Dispatcher'), ('dispatch_lead', 'Dispatch lead'), ('supervisor', 'Supervisor')], max_length=20, verbose_name='level')),
                        ('due_at', models.DateTimeField(verbose_name='was due at')),
                        ('marked_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='marked at')),
                        ('alert_id', models.BigIntegerField(null=True, verbose_name='alert')),
                        ('order', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='overdue_marks', to='workorders.workorder')),
                    ],
                    options={
                        'verbose_name': 'overdue mark',
                        'verbose_name_plural': 'overdue marks',
                        'ordering': ['marked_at', 'id'],
                        'constraints': [models.UniqueConstraint(fields=('order', 'stage', 'level'), name='overdue_mark_once_per_level')],
                    },
                ),
            ],
        ),
    ]
