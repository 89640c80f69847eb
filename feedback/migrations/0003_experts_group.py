"""The «Эксперты» group: staff who work the appeals queue need exactly these permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Эксперты"
PERMS = ["view_appeal", "change_appeal", "view_bonustravelpolicy"]


def forwards(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, verbosity=0)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="feedback", codename__in=PERMS)
    )


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0002_event_labels"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
