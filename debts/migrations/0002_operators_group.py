"""The «Операторы» group: insurer staff who keep the roster, load registries, run invoicing,
record deposits and bank transfers, and chase debts — everything but experts' appeals and
superuser powers (users, groups, consents)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Операторы"
# app label → {model: actions}
PERMS = {
    "policies": {
        "employer": "view add change",
        "contract": "view add change",
        "program": "view add change",
        "insuredperson": "view add change",
        "rosterimport": "view add",
    },
    "franchise": {"calendaroverride": "view add change delete", "franchiseactivation": "view"},
    "invoices": {
        "clinic": "view add change",
        "serviceregistry": "view add",
        "registryproblem": "view",
        "serviceline": "view change",
        "heldserviceline": "view change",
        "invoice": "view change",
        "invoiceline": "view",
        "depositentry": "view add",
        "invoicecorrection": "view",
    },
    "payments": {"payment": "view", "paymentevent": "view", "banktransfer": "view add"},
    "debts": {
        "programmedowngrade": "view change",
        "calllog": "view add",
        "debtor": "view",
        "employerreport": "view",
    },
    "notifications": {"message": "view change"},
    "audit": {"auditentry": "view"},
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
        ("debts", "0001_initial"),
        ("policies", "0002_rosterimport"),
        ("franchise", "0001_initial"),
        ("invoices", "0004_registry_labels"),
        ("payments", "0001_initial"),
        ("notifications", "0002_delivery_claim_and_quiet_hours"),
        ("audit", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
