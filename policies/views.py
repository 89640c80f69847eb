from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import InsuredPerson
from .selectors import get_person_for_user, people_for_user
from .services.certificate import certificate_pdf


def _get_person_for_user(request, person_id: int) -> InsuredPerson:
    try:
        return get_person_for_user(request.user, person_id)
    except InsuredPerson.DoesNotExist:
        raise Http404 from None


@login_required
@require_GET
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
