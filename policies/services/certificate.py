"""The policy certificate («Полис (PDF)») a person shows at a clinic."""

from django.conf import settings
from django.template.loader import render_to_string

from dms_portal import clock

from ..models import InsuredPerson


def certificate_pdf(*, person: InsuredPerson) -> bytes:
    """Render the certificate with WeasyPrint. It is small and always current (a roster change
    must show at once), so it is rendered on each request rather than stored."""
    from weasyprint import HTML  # heavy import; only the PDF views need it

    html = render_to_string(
        "policies/certificate.html",
        {
            "person": person,
            "contract": person.contract,
            "insurer": settings.INSURER,
            "issued_on": clock.moscow_today(),
        },
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
