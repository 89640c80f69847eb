"""Permissions of the staff groups («Операторы», …), granted and taken back by data migrations.

One body for the migrations that give a group a few permissions of one app: permissions are
normally created after all migrations, so they are created here first; the group is created if
no earlier migration did. `apps` is the migration's historical registry (or, from the tests'
`staff_group` fixture, the global one)."""

from django.contrib.auth.management import create_permissions


def permissions_grant(apps, *, app_label: str, group: str, codenames: list[str]) -> None:
    config = apps.get_app_config(app_label)
    config.models_module = True
    create_permissions(config, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    staff, _ = Group.objects.get_or_create(name=group)
    staff.permissions.add(
        *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
    )


def permissions_revoke(apps, *, app_label: str, group: str, codenames: list[str]) -> None:
    Permission = apps.get_model("auth", "Permission")
    for staff in apps.get_model("auth", "Group").objects.filter(name=group):
        staff.permissions.remove(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )
