"""The audit log now belongs to the audit app (see audit 0001): drop it from people's state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0002_identity_and_access'),
        ('audit', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='AuditEvent')],
            database_operations=[],
        ),
    ]
