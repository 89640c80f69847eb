"""The policy number as a QR code, drawn on the server as inline SVG (no script, works offline)."""

import segno
from django.utils.safestring import SafeString, mark_safe


def policy_qr_svg(*, policy_number: str) -> SafeString:
    """An SVG QR code that encodes exactly the policy number, so a clinic's scanner types it in.

    Error level M survives a cracked phone screen; the size comes from CSS (omitsize).
    """
    code = segno.make(policy_number, error="m", micro=False)
    svg = code.svg_inline(
        scale=1,
        border=4,
        dark="#000",
        light="#fff",
        omitsize=True,
        svgclass="policy-qr__svg",
        lineclass=None,
        title=f"QR-код номера полиса {policy_number}",
    )
    # segno escapes the title itself and draws everything else from the bit matrix.
    svg = svg.replace("<svg ", '<svg role="img" aria-label="QR-код номера полиса" ', 1)
    return mark_safe(svg)  # noqa: S308 - segno escapes the only text it embeds
