"""Pieces of «Мои полисы» that belong to the franchise app.

The page itself lives in `policies` (it lists policies); policies must not import franchise
(ARCHITECTURE.md), so the activation state and form reach the page through these tags.
"""

from django import template

from dms_portal import clock
from policies.models import InsuredPerson

from ..consent import CONSENT_LABEL, PROCEDURE_POINTS
from ..selectors import activation_state, activations_for_people

register = template.Library()


@register.simple_tag
def franchise_states(people) -> dict:
    """person id → ActivationState for every card on the page, with one query."""
    people = list(people)
    found = activations_for_people(people)
    today = clock.moscow_today()
    return {p.pk: activation_state(p, today, activation=found.get(p.pk)) for p in people}


@register.filter
def state_of(states: dict, person):
    return states[person.pk]


@register.inclusion_tag("franchise/_procedure.html")
def franchise_procedure(states: dict) -> dict:
    return {
        "points": PROCEDURE_POINTS,
        "all_activated": bool(states) and all(s.is_activated for s in states.values()),
    }


@register.inclusion_tag("franchise/_activation.html")
def franchise_activation(person, state) -> dict:
    # The same refusals as the service (franchise.services._check_activatable), said up front
    # instead of offering a form that can only fail.
    refusal = ""
    if not state.is_activated:
        if person.status == InsuredPerson.Status.TERMINATED:
            refusal = "Полис прекращён: активация франшизы недоступна."
        elif person.policy_end < clock.moscow_today():
            refusal = "Срок действия полиса закончился: активация франшизы недоступна."
    return {
        "person": person,
        "state": state,
        "refusal": refusal,
        "consent_label": CONSENT_LABEL,
        "box_id": f"consent-{person.pk}",
    }
