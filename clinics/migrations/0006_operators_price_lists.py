"""Operators load clinic price lists and read the prices (SPEC §3.8); clinics' search column
gets the whole words beside the stems (dms_portal.search.stems_column)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from dms_portal.search import stems_column

OPERATORS = "Операторы"
CODENAMES = ["view_pricelist", "add_pricelist", "view_pricelistproblem", "view_serviceprice"]


def forwards(apps, schema_editor):
    config = apps.get_app_config("clinics")
    # Historical app configs have no models module, and create_permissions skips those; the
    # original value is put back (tests call this with the real app registry, too).
    original, config.models_module = getattr(config, "models_module", None), True
    create_permissions(config, verbosity=0)
    config.models_module = original
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    operators = Group.objects.filter(name=OPERATORS).first()
    if operators is not None:
        operators.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="clinics", codename__in=CODENAMES
            )
        )
    Clinic = apps.get_model("clinics", "Clinic")
    for clinic in Clinic.objects.all():
        clinic.search_stems = stems_column(clinic.name, clinic.address, clinic.services)
        clinic.save(update_fields=["search_stems"])


class Migration(migrations.Migration):
    dependencies = [
        ("clinics", "0005_price_lists"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
