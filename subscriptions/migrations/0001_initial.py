import core.models
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('reports', '0006_move_out_sla_and_subscriptions'),
        ('dispatch', '0004_user_preference'),
        ('workorders', '0006_stats_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables exist already: reports.0006 renamed them.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Subscription',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('rule', models.CharField(help_text='For example FREQ=WEEKLY;BYDAY=TU', max_length=500, verbose_name='schedule (RRULE)')),
                        ('starts_at', models.DateTimeField(verbose_name='starts at')),
                        ('ends_at', models.DateTimeField(blank=True, null=True, verbose_name='ends at')),
                        ('notes', models.TextField(blank=True, verbose_name='special instructions')),
                        ('status', models.CharField(choices=[('active', 'Active'), ('paused', 'Paused'), ('ended', 'Ended')], db_index=True, default='active', max_length=10, verbose_name='status')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('preferred_worker', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='dispatch.worker', verbose_name='preferred worker')),
                        ('resident', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='subscriptions', to='dispatch.resident', verbose_name='resident')),
                        ('service', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='subscriptions', to='dispatch.serviceitem', verbose_name='service')),
                    ],
                    options={
                        'verbose_name': 'subscription',
                        'verbose_name_plural': 'subscriptions',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='SubscriptionHistory',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='at')),
                        ('action', models.CharField(max_length=20, verbose_name='action')),
                        ('from_status', models.CharField(blank=True, max_length=10, verbose_name='from')),
                        ('to_status', models.CharField(max_length=10, verbose_name='to')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('subscription', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='history', to='subscriptions.subscription')),
                    ],
                    options={
                        'verbose_name': 'subscription history entry',
                        'verbose_name_plural': 'subscription history',
                        'ordering': ['id'],
                    },
                    bases=(core.models.AppendOnly, models.Model),
                ),
                migrations.CreateModel(
                    name='SubscriptionOccurrence',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('occurs_at', models.DateTimeField(verbose_name='occurs at')),
                        ('outcome', models.CharField(choices=[('ordered', 'Order created'), ('closure', 'Skipped: department closed'), ('failed', 'Not ordered (see reason)')], max_length=10, verbose_name='outcome')),
                        ('reason', models.CharField(blank=True, max_length=255, verbose_name='reason')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                        ('order', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='subscription_occurrence', to='workorders.workorder')),
                        ('subscription', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='occurrences', to='subscriptions.subscription')),
                    ],
                    options={
                        'verbose_name': 'subscription occurrence',
                        'verbose_name_plural': 'subscription occurrences',
                        'ordering': ['occurs_at', 'id'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='subscription',
                    constraint=models.CheckConstraint(condition=models.Q(('ends_at__isnull', True), ('ends_at__gt', models.F('starts_at')), _connector='OR'), name='subscription_period_order'),
                ),
                migrations.AddConstraint(
                    model_name='subscriptionoccurrence',
                    constraint=models.UniqueConstraint(fields=('subscription', 'occurs_at'), name='subscription_occurrence_once'),
                ),
            ],
        ),
    ]
