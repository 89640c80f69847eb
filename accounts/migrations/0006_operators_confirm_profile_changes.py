"""Operators («Операторы») confirm phone / e-mail changes of people who lost their old phone
and have no confirmed e-mail (pen-test #10 item 7)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Операторы"
CODENAMES = ["view_profilechange", "change_profilechange"]


def forwards(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure ours exist now.
    config = apps.get_app_config("accounts")
    config.models_module = True
    create_permissions(config, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="accounts", codename__in=CODENAMES)
    )


def backwards(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="accounts", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_profile_change"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
