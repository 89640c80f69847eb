"""Invoices paid and then disputed used to turn ОСПАРИВАЕТСЯ; they are ОПЛАЧЕН again (the open
appeal is their «спор» mark now, SPEC §3.4). Their due clock never paused (paid_at was set)."""

from django.db import migrations


def forwards(apps, schema_editor):
    Invoice = apps.get_model("invoices", "Invoice")
    Invoice.objects.filter(status="disputed", paid_at__isnull=False).update(status="paid")


class Migration(migrations.Migration):
    dependencies = [("invoices", "0006_registry_heartbeat")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
