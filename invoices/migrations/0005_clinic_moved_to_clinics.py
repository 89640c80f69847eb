"""Clinic now lives in the clinics app (same table, invoices_clinic): state only, no SQL."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0004_registry_labels"),
        ("clinics", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="serviceline",
                    name="clinic",
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="lines",
                        to="clinics.clinic",
                    ),
                ),
                migrations.DeleteModel(name="Clinic"),
            ],
            database_operations=[],
        ),
    ]
