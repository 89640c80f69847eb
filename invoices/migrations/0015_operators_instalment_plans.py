"""«Операторы» see instalment schedules and may cancel one in admin (SPEC §3.8)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Операторы"
CODENAMES = ["view_instalmentplan", "change_instalmentplan", "view_instalmentpart"]


def forwards(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    config = apps.get_app_config("invoices")
    config.models_module = True
    create_permissions(config, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="invoices", codename__in=CODENAMES)
    )


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name=GROUP):
        group.permissions.remove(*group.permissions.filter(codename__in=CODENAMES))


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0014_instalment_plans"),
        ("debts", "0002_operators_group"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
