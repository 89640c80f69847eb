"""«Операторы» may start an invoice run from admin and watch it (issue #13)."""

from django.db import migrations

from dms_portal.group_grants import permissions_grant, permissions_revoke

GROUP = "Операторы"
CODENAMES = ["view_invoicerun", "add_invoicerun"]


def forwards(apps, schema_editor):
    permissions_grant(apps, app_label="invoices", group=GROUP, codenames=CODENAMES)


def backwards(apps, schema_editor):
    permissions_revoke(apps, app_label="invoices", group=GROUP, codenames=CODENAMES)


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0010_invoice_run"),
        ("debts", "0002_operators_group"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
