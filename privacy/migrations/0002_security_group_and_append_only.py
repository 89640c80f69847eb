"""The «Безопасность» group (reads the logs, changes nothing) and, on PostgreSQL, a trigger
that refuses UPDATE and DELETE on the retention log: append-only below the application too."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Безопасность"
PERMS = {
    "privacy": {"retentionaction": "view"},
    "audit": {"auditentry": "view", "readaccess": "view"},
}

TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION privacy_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'privacy logs are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER privacy_retentionaction_append_only BEFORE UPDATE OR DELETE
    ON privacy_retentionaction FOR EACH ROW EXECUTE FUNCTION privacy_append_only();
"""
DROP_SQL = """
DROP TRIGGER IF EXISTS privacy_retentionaction_append_only ON privacy_retentionaction;
DROP FUNCTION IF EXISTS privacy_append_only();
"""


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


def triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_SQL)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("audit", "0002_readaccess"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.RunPython(triggers, drop_triggers),
    ]
