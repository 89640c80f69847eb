"""`{% load debts_tags %}{% downgrade_notice person %}` on «Мои полисы»: one line for the page
that owns the policy card, no view changes needed."""

from django import template

from ..selectors import downgrade_notice_context

register = template.Library()


@register.inclusion_tag("debts/_policy_downgrade_notice.html")
def downgrade_notice(person):
    return {"downgrade_notice": downgrade_notice_context(person) if person else None}
