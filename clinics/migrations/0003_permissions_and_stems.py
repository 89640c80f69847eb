"""After the move: the clinic's content type and permissions follow the model to this app,
operators keep their clinic permissions, and clinics already loaded get their search stems."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from dms_portal.search import stems_column

OPERATORS = "Операторы"


def forwards(apps, schema_editor):
    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, verbosity=0)
        config.models_module = None
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    new_ct = ContentType.objects.get(app_label="clinics", model="clinic")
    old_ct = ContentType.objects.filter(app_label="invoices", model="clinic").first()
    if old_ct is not None:
        # Whoever held invoices' clinic permissions holds the same ones of clinics now.
        for old in Permission.objects.filter(content_type=old_ct):
            new = Permission.objects.filter(content_type=new_ct, codename=old.codename).first()
            if new is None:
                continue
            for group in old.group_set.all():
                group.permissions.add(new)
            for user in old.user_set.all():
                user.user_permissions.add(new)
        old_ct.delete()
    operators = Group.objects.filter(name=OPERATORS).first()
    if operators is not None:
        operators.permissions.add(
            *Permission.objects.filter(
                content_type=new_ct, codename__in=["view_clinic", "add_clinic", "change_clinic"]
            )
        )
    Clinic = apps.get_model("clinics", "Clinic")
    for clinic in Clinic.objects.all():
        clinic.search_stems = stems_column(clinic.name, clinic.address, clinic.services)
        clinic.save(update_fields=["search_stems"])


class Migration(migrations.Migration):
    dependencies = [
        ("clinics", "0002_details"),
        ("invoices", "0005_clinic_moved_to_clinics"),
        # The operators' group exists from here on (it listed invoices' clinic permissions).
        ("debts", "0002_operators_group"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
