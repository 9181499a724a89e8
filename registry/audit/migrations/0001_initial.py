"""The audit log moves from people to audit, keeping every row.

On an existing database the table ``people_auditevent`` already holds the log: the model is added to
this app's state only, then its table is renamed to ``audit_auditevent`` (rows, indexes and the foreign
key stay). People's 0003 removes the model from its own state without touching the table. A fresh
database runs the same steps after people's 0001 created the table.
"""

from importlib import import_module

from django.conf import settings
from django.db import migrations

# The model exactly as people's 0001 created it (no later migration changed it): its fields move as they are.
_PEOPLE_INITIAL = import_module("registry.people.migrations.0001_initial").Migration
_CREATED = next(op for op in _PEOPLE_INITIAL.operations if getattr(op, "name", "") == "AuditEvent")


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
                    fields=list(_CREATED.fields),
                    options={**_CREATED.options, 'db_table': 'people_auditevent'},
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name='auditevent', table=None),
    ]
