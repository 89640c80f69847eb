"""`{% load debts_tags %}{% downgrade_notice person %}` on «Мои полисы»: one line for the page
that owns the policy card, no view changes needed."""

from django import template

from policies.models import Program

from ..selectors import downgrade_notice_context, restored_notice_context

register = template.Library()


@register.inclusion_tag("debts/_policy_downgrade_notice.html")
def downgrade_notice(person):
    # An open downgrade always means the emergency programme, which the card has loaded
    # already; people on the full programme cost one indexed query (a recent restore).
    if person is None:
        return {"downgrade_notice": None}
    if person.program.kind != Program.Kind.EMERGENCY:
        return {"downgrade_notice": restored_notice_context(person)}
    return {"downgrade_notice": downgrade_notice_context(person)}
