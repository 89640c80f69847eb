from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from invoices.models import Invoice
from invoices.services.status import PAYABLE

from . import services
from .errors import PaymentError
from .models import BankTransfer, Payment, PaymentEvent, PaymentInvoice


class PaymentInvoiceInline(admin.TabularInline):
    model = PaymentInvoice
    extra = 0
    can_delete = False
    readonly_fields = ["invoice", "amount", "active"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    """Payments are changed only by their services; the admin shows them and their events."""

    list_display = [
        "id",
        "created_at",
        "payer",
        "provider",
        "amount",
        "status",
        "paid_at",
        "problem",
    ]
    list_filter = ["status", "provider", ("problem", admin.EmptyFieldListFilter)]
    search_fields = ["provider_payment_id", "payer__phone", "links__invoice__number"]
    inlines = [PaymentInvoiceInline]
    readonly_fields = [f.name for f in Payment._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PaymentEvent)
class PaymentEventAdmin(admin.ModelAdmin):
    list_display = [
        "received_at",
        "provider",
        "source",
        "event",
        "provider_payment_id",
        "state",
        "deliveries",
    ]
    list_filter = ["provider", "source", "state"]
    search_fields = ["provider_payment_id", "event_key"]
    readonly_fields = [f.name for f in PaymentEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BankTransferForm(forms.ModelForm):
    invoices = forms.ModelMultipleChoiceField(
        label="Счета",
        queryset=Invoice.objects.filter(status__in=PAYABLE).select_related("person"),
        help_text="Счета, которые оплачивает перевод; сумма должна равняться сумме к оплате по ним.",
    )

    class Meta:
        model = BankTransfer
        fields = ["amount", "received_on", "reference"]

    def clean(self):
        data = super().clean()
        chosen = data.get("invoices")
        amount = data.get("amount")
        if chosen and amount is not None:
            total = sum(
                (
                    inv.payable_amount()
                    for inv in Invoice.objects.filter(pk__in=chosen).with_money()
                ),
                Decimal("0.00"),
            )
            if total != amount:
                raise ValidationError(
                    f"Сумма перевода {amount} ₽ не равна сумме к оплате по выбранным счетам {total} ₽"
                )
        return data


@admin.register(BankTransfer)
class BankTransferAdmin(admin.ModelAdmin):
    form = BankTransferForm
    list_display = ["received_on", "reference", "amount", "payment", "created_by", "created_at"]
    search_fields = ["reference", "payment__links__invoice__number"]

    def get_readonly_fields(self, request, obj=None):
        return ["amount", "received_on", "reference"] if obj else []

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:
            kwargs["form"] = forms.ModelForm
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            return  # a recorded transfer is a settled fact; corrections go through refunds
        try:
            transfer = services.bank_transfer_record(
                amount=form.cleaned_data["amount"],
                received_on=form.cleaned_data["received_on"],
                reference=form.cleaned_data["reference"],
                invoice_ids=[inv.pk for inv in form.cleaned_data["invoices"]],
                actor=request.user,
            )
        except PaymentError as exc:
            # The form checked the sum; this is a race (the invoice was paid meanwhile): nothing
            # was written, the operator sees why and the form again.
            messages.error(request, str(exc))
            request._bank_transfer_refused = True
            return
        obj.pk = transfer.pk
        obj.payment = transfer.payment
        obj.created_at = transfer.created_at
        obj.created_by = transfer.created_by

    def save_related(self, request, form, formsets, change):
        pass  # the invoices were linked by the service

    def log_addition(self, request, obj, message):
        if not getattr(request, "_bank_transfer_refused", False):
            return super().log_addition(request, obj, message)
        return None

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(request, "_bank_transfer_refused", False):
            from django.http import HttpResponseRedirect

            return HttpResponseRedirect(request.path)
        return super().response_add(request, obj, post_url_continue)

    def has_delete_permission(self, request, obj=None):
        return False
