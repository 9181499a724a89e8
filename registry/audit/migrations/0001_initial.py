"""The audit log moves from people to audit, keeping every row.

On an existing database the table ``people_auditevent`` already holds the log: the model is added to
this app's state only, then its table is renamed to ``audit_auditevent`` (rows, indexes and the foreign
key stay). People's 0003 removes the model from its own state without touching the table. A fresh
database runs the same steps after people's 0001 created the table.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('people', '0002_identity_and_access'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AuditEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ('action', models.CharField(db_index=True, max_length=100)),
                        ('target_type', models.CharField(blank=True, max_length=50)),
                        ('target_id', models.CharField(blank=True, max_length=50)),
                        ('ip_address', models.GenericIPAddressField(blank=True, null=True)),
                        ('details', models.JSONField(blank=True, default=dict)),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': '审计日志',
                        'verbose_name_plural': '审计日志',
                        'ordering': ['-at'],
                        'db_table': 'people_auditevent',
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name='auditevent', table=None),
    ]
