"""The access sweep's rules for the admin: which staff group may open each model's objects
(change/history pages need view or change, the delete page needs delete), as README «Staff
roles» describes them. Superusers see everything; insured users and anonymous visitors are
sent to the admin login. A model registered in the admin and missing here fails the sweep."""

import datetime as dt
from decimal import Decimal

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test import RequestFactory

from debts.models import EmployerReport
from dms_portal import clock
from invoices.models import ServiceRegistry

OPS, EXPERTS, DESK, SECURITY = "Операторы", "Эксперты", "Медпульт", "Безопасность"
NOBODY = ()


def _only(*groups, delete=NOBODY):
    return {"view": groups, "delete": delete}


ADMIN_VIEWERS = {
    # Accounts, consents, codes, staff groups, lockouts, second factors: superusers only.
    "accounts.codesend": _only(),
    "accounts.consentdocument": _only(),
    "accounts.consentrecord": _only(),
    "accounts.onetimecode": _only(),
    "accounts.pendingregistration": _only(),
    "accounts.registrationattempt": _only(),
    "accounts.user": _only(),
    "auth.group": _only(),
    "axes.accessattempt": _only(),
    "axes.accessfailurelog": _only(),
    "axes.accesslog": _only(),
    "otp_totp.totpdevice": _only(),
    "faq.faqgroup": _only(),
    "faq.faqitem": _only(),
    # Phone / e-mail changes waiting for an operator.
    "accounts.profilechange": _only(OPS),
    "audit.auditentry": _only(OPS, SECURITY),
    "care.conversation": _only(DESK),
    "care.doctorrequest": _only(DESK),
    "clinics.clinic": _only(OPS, DESK),
    # Price lists: operators load them; nobody deletes one (its prices reference it).
    "clinics.pricelist": _only(OPS),
    "clinics.serviceprice": _only(OPS),
    "debts.calllog": _only(OPS),
    "debts.debtor": _only(OPS),
    "debts.employerreport": _only(OPS),
    "debts.programmedowngrade": _only(OPS),
    "feedback.appeal": _only(EXPERTS),
    "feedback.bonustravelpolicy": _only(EXPERTS),
    "franchise.calendaroverride": _only(OPS, delete=(OPS,)),
    "franchise.franchiseactivation": _only(OPS),
    "invoices.depositentry": _only(OPS),
    "invoices.heldserviceline": _only(OPS),
    "invoices.invoice": _only(OPS),
    "invoices.invoicerun": _only(OPS),
    "invoices.registryproblem": _only(OPS),
    "invoices.serviceline": _only(OPS),
    "invoices.serviceregistry": _only(OPS),
    "notifications.message": _only(OPS),
    "payments.banktransfer": _only(OPS),
    "payments.payment": _only(OPS),
    "payments.paymentevent": _only(OPS),
    "policies.contract": _only(OPS),
    "policies.employer": _only(OPS),
    "policies.insuredperson": _only(OPS),
    "policies.program": _only(OPS),
    "policies.rosterimport": _only(OPS),
    "audit.readaccess": _only(SECURITY),
    "privacy.retentionaction": _only(SECURITY),
}


def _registry(world):
    registry = ServiceRegistry(original_name="reestr.csv", sha256="0" * 64)
    registry.file.save("reestr.csv", ContentFile(b"x"))
    return {"pk": registry.pk}


def _employer_report(world):
    report = EmployerReport(
        employer=world["employer"],
        period=dt.date(2026, 10, 1),
        created_at=clock.now(),
        total=Decimal("1.00"),
    )
    report.file.save("report.xlsx", ContentFile(b"x"))
    return {"pk": report.pk}


def _device(world):
    return {"pk": world["staff"][OPS].totpdevice_set.get().pk}


# Admin views of their own with an object id: (method, kwargs maker, groups that may).
ADMIN_EXTRA = {
    "admin:feedback_appeal_workflow": (
        "POST",
        lambda w: {"pk": w["appeal"].pk, "step": "extend"},
        (EXPERTS,),
    ),
    "admin:invoices_serviceregistry_problems": ("GET", _registry, (OPS,)),
    # «Повторить загрузку»: a POST that needs the change permission of registries.
    "admin:invoices_serviceregistry_retry": ("POST", _registry, (OPS,)),
    "admin:debts_employerreport_download": ("GET", _employer_report, (OPS,)),
    # Setting a user's password: superusers only.
    "admin:auth_user_password_change": ("GET", lambda w: {"id": w["owner"].pk}, NOBODY),
    "admin:otp_totp_totpdevice_config": ("GET", _device, NOBODY),
    "admin:otp_totp_totpdevice_qrcode": ("GET", _device, NOBODY),
}


def any_object_pk(model) -> int:
    """The first row of `model`; a model the world did not fill gets one made from its field
    types, so every admin page is asked about a real object (a missing one short-circuits
    some permission checks)."""
    first = model._default_manager.order_by("pk").first()
    if first is not None:
        return first.pk
    values, files = {}, {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.has_default() or field.null or getattr(field, "auto_now", 0):
            continue
        if getattr(field, "auto_now_add", False):
            continue
        if field.is_relation:
            values[field.name] = model_object(field.related_model)
        elif field.choices:
            values[field.name] = field.choices[0][0]
        else:
            kind = field.get_internal_type()
            if kind == "FileField":
                files[field.name] = ContentFile(b"x")
            else:
                values[field.name] = SAMPLE_VALUES.get(kind, "x")
    if "phone" in values:
        values["phone"] = "+79990009998"
    obj = model(**values)
    for name, content in files.items():
        getattr(obj, name).save("sweep.bin", content, save=False)
    obj.save()
    return obj.pk


def admin_object_pk(model) -> int | None:
    """An object the model's admin lists (a proxy admin may list only some rows)."""
    any_object_pk(model)
    request = RequestFactory().get("/admin/")
    request.user = get_user_model()(is_staff=True, is_superuser=True, is_active=True)
    first = admin.site._registry[model].get_queryset(request).order_by("pk").first()
    return first.pk if first is not None else None


def model_object(model):
    return model._default_manager.get(pk=any_object_pk(model))


SAMPLE_VALUES = {
    "CharField": "x",
    "TextField": "x",
    "EmailField": "sweep@example.com",
    "IntegerField": 1,
    "PositiveIntegerField": 1,
    "PositiveSmallIntegerField": 1,
    "SmallIntegerField": 1,
    "BigIntegerField": 1,
    "DecimalField": Decimal("1.00"),
    "DateField": dt.date(2026, 10, 1),
    "DateTimeField": dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC),
    "BooleanField": False,
    "GenericIPAddressField": "127.0.0.1",
    "JSONField": {},
}
