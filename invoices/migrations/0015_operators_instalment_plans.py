"""«Операторы» see instalment schedules and may cancel one in admin (SPEC §3.8)."""

from django.db import migrations

from dms_portal.group_grants import permissions_grant, permissions_revoke

GROUP = "Операторы"
CODENAMES = ["view_instalmentplan", "change_instalmentplan", "view_instalmentpart"]


def forwards(apps, schema_editor):
    permissions_grant(apps, app_label="invoices", group=GROUP, codenames=CODENAMES)


def backwards(apps, schema_editor):
    permissions_revoke(apps, app_label="invoices", group=GROUP, codenames=CODENAMES)


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0014_instalment_plans"),
        ("debts", "0002_operators_group"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
