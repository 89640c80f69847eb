"""Operators («Операторы») confirm phone / e-mail changes of people who lost their old phone
and have no confirmed e-mail (pen-test #10 item 7)."""

from django.db import migrations

from dms_portal.group_grants import permissions_grant, permissions_revoke

GROUP = "Операторы"
CODENAMES = ["view_profilechange", "change_profilechange"]


def forwards(apps, schema_editor):
    permissions_grant(apps, app_label="accounts", group=GROUP, codenames=CODENAMES)


def backwards(apps, schema_editor):
    permissions_revoke(apps, app_label="accounts", group=GROUP, codenames=CODENAMES)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_profile_change"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
