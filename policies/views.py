from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dms_portal import clock, pagecache

from .models import InsuredPerson
from .selectors import get_person_for_user, people_for_user
from .services.certificate import certificate_pdf
from .services.qr import policy_qr_svg


def _get_person_for_user(request, person_id: int) -> InsuredPerson:
    try:
        return get_person_for_user(request.user, person_id)
    except InsuredPerson.DoesNotExist:
        raise Http404 from None


@login_required
@require_GET
@pagecache.per_session
def my_policies(request):
    """«Мои полисы»: the user's own policy first, then his relatives' (SPEC §3.2)."""
    people = list(people_for_user(request.user))
    return render(request, "policies/my_policies.html", {"people": people})


@login_required
@require_GET
def certificate(request, person_id: int):
    """«Полис (PDF)»: the certificate to show at a clinic."""
    person = _get_person_for_user(request, person_id)
    response = HttpResponse(certificate_pdf(person=person), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="polis-{person.policy_number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def policy_card(request, person_id: int):
    """«Карточка полиса» (SPEC §3.9): what a clinic asks for, on one phone screen. Once viewed it
    opens offline: portal's middleware marks the response and the service worker keeps it."""
    person = _get_person_for_user(request, person_id)
    response = render(
        request,
        "policies/policy_card.html",
        {
            "person": person,
            "people": [person],
            "contract": person.contract,
            "qr_svg": policy_qr_svg(policy_number=person.policy_number),
            "updated_at": clock.moscow_now(),
        },
    )
    # Kept only in the worker's Cache Storage, never in an HTTP cache.
    response["Cache-Control"] = "private, no-store"
    return response
