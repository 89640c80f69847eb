"""«Операторы» see the penalty ledger and may waive a penalty with a reason (#15, «Неустойка»):
a waiver is a new ledger row, so the permission is `add_penaltyentry`."""

from django.db import migrations

from dms_portal.group_grants import permissions_grant, permissions_revoke

GROUP = "Операторы"
CODENAMES = ["view_penaltyentry", "add_penaltyentry"]


def forwards(apps, schema_editor):
    permissions_grant(apps, app_label="invoices", group=GROUP, codenames=CODENAMES)


def backwards(apps, schema_editor):
    permissions_revoke(apps, app_label="invoices", group=GROUP, codenames=CODENAMES)


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0012_penalty_ledger"),
        ("debts", "0002_operators_group"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
