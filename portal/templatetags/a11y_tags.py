"""The error summary of a page (issue #20, WCAG 3.3.1 / 4.1.3): every bound form in the
template context that failed validation, its errors with links to their fields. The base
template puts «Ошибка:» before the page title and the summary at the top of <main>, where
portal.js moves the focus, so a screen reader announces the errors after any failed submit —
whichever app's form it was."""

from dataclasses import dataclass

from django import template
from django.forms import BaseForm

register = template.Library()


@dataclass(frozen=True)
class PageError:
    message: str
    target: str  # the id of the control to jump to; "" when there is none to name
    label: str


def _forms(context) -> list[BaseForm]:
    seen, forms = set(), []
    for value in context.flatten().values():
        if isinstance(value, BaseForm) and value.is_bound and id(value) not in seen:
            seen.add(id(value))
            forms.append(value)
    return forms


def _target(bound_field) -> str:
    """Where the summary's link leads: the control itself (its first option for a group)."""
    if bound_field.is_hidden or not bound_field.auto_id:
        return ""
    return bound_field.id_for_label or f"{bound_field.auto_id}_0"


@register.simple_tag(takes_context=True)
def page_errors(context) -> list[PageError]:
    errors = []
    for form in _forms(context):
        if not form.errors:
            continue
        fields = [f for f in form if not f.is_hidden]
        first = _target(fields[0]) if fields else ""
        for message in form.non_field_errors():
            errors.append(PageError(message, first, ""))
        for bound_field in form:
            for message in bound_field.errors:
                label = "" if bound_field.is_hidden else str(bound_field.label or "")
                errors.append(PageError(message, _target(bound_field) or first, label))
    return errors
