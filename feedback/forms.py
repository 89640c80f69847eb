"""Forms validate input only; the steps live in services."""

from django import forms
from django.template.defaultfilters import filesizeformat

from dms_portal import clock
from dms_portal.uploads import MAX_FILE_SIZE, MAX_FILES, uploads_check
from invoices.models import Invoice, InvoiceLine, ServiceLine

from .models import Appeal, AppealLine


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


# The largest id a database integer column holds. A bigger one in POST data matches no row,
# yet SQLite cannot even compare it (OverflowError, a 500): refuse it as an unknown choice.
MAX_DB_ID = 2**63 - 1


class IdsChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            try:
                number = int(pk)
            except (TypeError, ValueError):
                continue  # not a number: the parent says so
            if abs(number) > MAX_DB_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


def bootstrap(form: forms.Form) -> None:
    """Give widgets Bootstrap's classes (radios and checkboxes are laid out in templates)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class AppealForm(forms.Form):
    kind = forms.ChoiceField(
        label="Вид обращения",
        choices=Appeal.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Выберите вид обращения"},
    )
    person = forms.ModelChoiceField(
        label="Застрахованный",
        queryset=None,
        required=False,
        empty_label=None,
    )
    invoice = forms.ModelChoiceField(
        label="Счёт",
        queryset=Invoice.objects.none(),
        required=False,
        empty_label="— выберите счёт —",
        # Choosing reloads the page with the invoice's lines (feedback.js): said beforehand,
        # as WCAG 3.2.2 asks of a change of context on input.
        help_text="После выбора счёта страница обновится и покажет его услуги.",
    )
    lines = IdsChoiceField(
        label="Оспариваемые услуги",
        queryset=InvoiceLine.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # «Это был не я» on an upcoming line (SPEC §3.8): the line instead of an invoice's lines.
    service_line = forms.ModelChoiceField(
        queryset=ServiceLine.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "Эта услуга уже вошла в счёт или недоступна"},
    )
    reason = forms.ChoiceField(
        label="Причина несогласия",
        choices=Appeal.Reason.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label="Текст обращения",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    attachments = MultipleFileField(
        label="Файлы (PDF, JPG, PNG)",
        required=False,
        help_text=f"До {MAX_FILES} файлов, каждый не больше {filesizeformat(MAX_FILE_SIZE)}",
    )

    def __init__(self, *args, people, invoices, upcoming_lines=None, **kwargs):
        super().__init__(*args, **kwargs)
        if upcoming_lines is not None:
            self.fields["service_line"].queryset = upcoming_lines
        self.fields["person"].queryset = people
        self.fields["invoice"].queryset = invoices
        self.fields["invoice"].label_from_instance = invoice_label
        self.fields["lines"].queryset = InvoiceLine.objects.filter(invoice__in=invoices)
        bootstrap(self)

    def clean_attachments(self):
        return uploads_check(self.cleaned_data["attachments"])

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == Appeal.Kind.SERVICE_DISPUTE and data.get("service_line"):
            if data["service_line"].dispute_open:
                self.add_error(
                    None, f"Услуга «{data['service_line'].service_name}» уже оспаривается"
                )
            if not data.get("reason"):
                self.add_error("reason", "Укажите причину несогласия")
        elif kind == Appeal.Kind.SERVICE_DISPUTE:
            invoice, lines = data.get("invoice"), data.get("lines") or []
            if not invoice:
                self.add_error("invoice", "Выберите счёт, с которым вы не согласны")
            elif not lines:
                self.add_error("lines", "Отметьте хотя бы одну оспариваемую услугу")
            elif any(line.invoice_id != invoice.pk for line in lines):
                self.add_error("lines", "Отмеченные услуги не из выбранного счёта")
            else:
                busy = AppealLine.objects.filter(is_open=True, invoice_line__in=lines).first()
                if busy:
                    name = busy.invoice_line.service_name
                    self.add_error("lines", f"Услуга «{name}» уже оспаривается")
            if not data.get("reason"):
                self.add_error("reason", "Укажите причину несогласия")
        elif kind:
            if not (data.get("text") or "").strip():
                self.add_error("text", "Опишите ваше обращение")
            if not data.get("person"):
                self.add_error("person", "Выберите застрахованного")
        return data


def invoice_label(invoice: Invoice) -> str:
    return (
        f"Счёт {invoice.number} от {clock.to_moscow_date(invoice.formed_at):%d.%m.%Y} — "
        f"{invoice.person.short_name} ({invoice.get_status_display()})"
    )


class AssignForm(forms.Form):
    expert = forms.ModelChoiceField(label="Эксперт", queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        self.fields["expert"].queryset = get_user_model().objects.filter(
            is_staff=True, is_active=True
        )


class CommentForm(forms.Form):
    text = forms.CharField(
        label="Внутренний комментарий (заявитель его не видит)",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Введите текст комментария"},
    )


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="Ответ заявителю",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Введите текст ответа"},
    )
    close = forms.BooleanField(label="Закрыть обращение этим ответом", required=False)


class ExtendForm(forms.Form):
    new_deadline = forms.DateField(
        label="Новый срок ответа",
        widget=forms.DateInput(format="%d.%m.%Y", attrs={"placeholder": "ДД.ММ.ГГГГ"}),
        input_formats=["%d.%m.%Y", "%Y-%m-%d"],
        error_messages={
            "required": "Укажите новый срок",
            "invalid": "Введите дату как ДД.ММ.ГГГГ",
        },
    )
    reason = forms.CharField(
        label="Причина продления",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Укажите причину продления срока"},
    )


class DecisionForm(forms.Form):
    """Accept or reject a dispute; on accept, per-line reductions default to the whole co-pay."""

    decision = forms.ChoiceField(
        label="Решение",
        choices=[("accept", "Удовлетворить"), ("reject", "Отклонить")],
        widget=forms.RadioSelect,
        error_messages={"required": "Выберите решение"},
    )
    answer = forms.CharField(
        label="Ответ заявителю",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Введите ответ заявителю"},
    )
    settlement = forms.ChoiceField(
        label="Если сооплата уже оплачена",
        choices=[
            ("deposit", "Зачесть на депозит полиса"),
            ("refund", "Вернуть через платёжный сервис"),
        ],
        initial="deposit",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line, left in lines:
            self.fields[f"line_{line.pk}"] = forms.DecimalField(
                label=f"Уменьшение сооплаты: {line.service_name} ({line.service_date:%d.%m.%Y})",
                max_digits=12,
                decimal_places=2,
                min_value=0,
                max_value=left,
                initial=left,
                required=False,
            )

    def reductions(self) -> dict:
        return {
            line.pk: self.cleaned_data.get(f"line_{line.pk}") or 0 for line, _left in self.lines
        }
