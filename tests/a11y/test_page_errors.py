"""The error summary's collector (portal/templatetags/a11y_tags.py): which forms count, where
each error's link leads, and that a page without failed forms gets nothing."""

import pytest
from django import forms
from django.template import Context, Template

from portal.templatetags.a11y_tags import page_errors


class Sample(forms.Form):
    name = forms.CharField(label="Имя")
    kind = forms.ChoiceField(
        label="Вид", choices=[("a", "А"), ("b", "Б")], widget=forms.RadioSelect
    )
    token = forms.CharField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("Форма целиком неверна")


def test_unbound_and_valid_forms_give_no_errors():
    class Valid(forms.Form):
        name = forms.CharField()

    assert page_errors(Context({"form": Sample(), "other": Valid({"name": "x"})})) == []


def test_each_error_links_to_its_control_and_the_form_error_to_the_first_field():
    form = Sample({})
    errors = page_errors(Context({"form": form, "same_form_again": form}))
    by_label = {(e.label, e.target) for e in errors}
    # The form's own error first, pointing at the first visible field; a radio group at its
    # first option; a hidden field's error at the first visible field, without a label.
    assert errors[0].message == "Форма целиком неверна" and errors[0].target == "id_name"
    assert ("Имя", "id_name") in by_label
    assert ("Вид", "id_kind_0") in by_label
    assert ("", "id_name") in by_label
    assert len(errors) == 4  # the same form twice in the context is listed once


@pytest.mark.parametrize("bad", [None, "", 0, object(), {"errors": ["x"]}])
def test_values_that_are_not_forms_are_ignored(bad):
    assert page_errors(Context({"form": bad})) == []


def test_the_base_template_prefixes_the_title_only_when_a_form_failed():
    template = Template(
        "{% load a11y_tags %}{% page_errors as e %}{% if e %}Ошибка: {% endif %}Страница"
    )
    assert template.render(Context({"form": Sample({})})) == "Ошибка: Страница"
    assert template.render(Context({"form": Sample()})) == "Страница"
