from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from dms_portal.net import client_ip, user_agent
from policies.models import InsuredPerson
from policies.selectors import get_person_for_user

from .forms import ActivationForm
from .services import ActivationError, franchise_activate


@login_required
@require_POST
def activate(request, person_id: int):
    """«Отправить» on a policy card of «Мои полисы»."""
    try:
        person = get_person_for_user(request.user, person_id)
    except InsuredPerson.DoesNotExist:
        raise Http404 from None
    back = f"{reverse('policies:my_policies')}#policy-{person.pk}"
    form = ActivationForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("consent", []):
            messages.error(request, error)
        return redirect(back)
    try:
        activation, created = franchise_activate(
            person=person,
            by=request.user,
            ip=client_ip(request),
            user_agent=user_agent(request),
            consent_given=form.cleaned_data["consent"],
        )
    except ActivationError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    when = activation.effective_date.strftime("%d.%m.%Y")
    if created:
        messages.success(
            request,
            f"Франшиза по полису {person.policy_number} ({person.short_name}) активирована. "
            f"Обслуживание доступно с {when}.",
        )
    else:
        messages.info(
            request,
            f"Франшиза уже активирована по полису {person.policy_number}: действует с {when}.",
        )
    return redirect(back)
