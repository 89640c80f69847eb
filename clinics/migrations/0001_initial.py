"""Clinic moves from invoices into this app without moving its table (state only)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("invoices", "0004_registry_labels")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Clinic",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("code", models.CharField(max_length=32, unique=True, verbose_name="Код ЛПУ")),
                        ("name", models.CharField(max_length=255, verbose_name="Наименование ЛПУ")),
                    ],
                    options={
                        "verbose_name": "лечебное учреждение",
                        "verbose_name_plural": "лечебные учреждения",
                        "db_table": "invoices_clinic",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
