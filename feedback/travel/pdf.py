"""WeasyPrint rendering of the bonus travel certificate (DejaVu fonts carry Cyrillic)."""

from django.conf import settings
from django.template.loader import render_to_string

from ..models import BonusTravelPolicy


def render_certificate(policy: BonusTravelPolicy) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "feedback/travel_certificate.html",
        {
            "policy": policy,
            "travellers": policy.travellers.all(),
            "INSURER": settings.INSURER,
            "TRAVEL": settings.TRAVEL_BONUS,
        },
    )
    return HTML(string=html).write_pdf()
