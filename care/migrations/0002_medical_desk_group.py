"""The «Медпульт» group: the medical desk works doctor requests, SOS and support. It sees the
clinics but no money (invoices, payments, debts) and no consents."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Медпульт"
PERMS = {
    "care": {
        "doctorrequest": "view change",
        "requestevent": "view",
        "conversation": "view change",
        "supportmessage": "view",
        "supportattachment": "view",
    },
    "clinics": {"clinic": "view"},
}


def forwards(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, verbosity=0)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app_label, models in PERMS.items():
        codenames = [f"{a}_{m}" for m, actions in models.items() for a in actions.split()]
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0001_initial"),
        ("clinics", "0003_permissions_and_stems"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
