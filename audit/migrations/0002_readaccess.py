"""The read-access log (who opened health data and exports), append-only: on PostgreSQL a
trigger refuses UPDATE and DELETE below the application too."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit logs are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_readaccess_append_only BEFORE UPDATE OR DELETE ON audit_readaccess
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"""
DROP_SQL = """
DROP TRIGGER IF EXISTS audit_readaccess_append_only ON audit_readaccess;
DROP FUNCTION IF EXISTS audit_append_only();
"""


def triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_SQL)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ReadAccess',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='Когда')),
                ('actor_label', models.CharField(max_length=32, verbose_name='Кто (телефон)')),
                ('actor_is_staff', models.BooleanField(default=False, verbose_name='Сотрудник')),
                ('kind', models.CharField(choices=[('appeal_attachment', 'Вложение обращения'), ('support_attachment', 'Вложение в чате поддержки'), ('invoice_detail', 'Детализация счёта'), ('invoice_xlsx', 'Счёт в XLSX'), ('invoices_xlsx', 'Все счета в XLSX')], db_index=True, max_length=32, verbose_name='Что')),
                ('object_type', models.CharField(max_length=64, verbose_name='Тип объекта')),
                ('object_id', models.CharField(db_index=True, max_length=64, verbose_name='Объект')),
                ('ip', models.GenericIPAddressField(blank=True, null=True, verbose_name='IP')),
                ('actor', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='Кто')),
            ],
            options={
                'verbose_name': 'чтение медицинских данных и выгрузок',
                'verbose_name_plural': 'журнал чтения медицинских данных и выгрузок',
                'ordering': ['-at', '-id'],
            },
        ),
        migrations.RunPython(triggers, drop_triggers),
    ]
