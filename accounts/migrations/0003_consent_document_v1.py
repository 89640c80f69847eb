"""Publishes version 1 of the consent text for the personal account (152-FZ art. 9)."""

from django.db import migrations

from accounts.consent_texts import portal_v1
from accounts.models import CONSENT_SECTION_NAMES, consent_text_hash


def publish_v1(apps, schema_editor):
    ConsentDocument = apps.get_model("accounts", "ConsentDocument")
    fields = portal_v1()
    if ConsentDocument.objects.filter(purpose=fields["purpose"], version=fields["version"]).exists():
        return
    sections = [(name, fields[field]) for field, name in CONSENT_SECTION_NAMES]
    ConsentDocument.objects.create(
        content_hash=consent_text_hash(
            purpose=fields["purpose"],
            version=fields["version"],
            title=fields["title"],
            sections=sections,
        ),
        **fields,
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_consent_codes_pending")]

    operations = [migrations.RunPython(publish_v1, migrations.RunPython.noop)]
