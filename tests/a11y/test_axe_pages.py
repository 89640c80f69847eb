"""Issue #20: axe-core (WCAG 2.2 A/AA) on every page a person sees — signed out, then signed in
as Иванов with the demo data — at 1280 and 390 px, with the invoice details window open and
with form errors shown. Any serious or critical violation fails.

One browser page walks all of it (a navigation per page, two axe runs per navigation: the
viewport changes without a reload), so the sweep stays within a few minutes on two cores.
`PAGES_NOT_SWEPT` names each page of the insured's URLconf the walk does not open, with why;
a new page must join one or the other (test_every_insured_page_is_swept_or_excused)."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from playwright.sync_api import expect

from feedback.models import Appeal
from feedback.services import appeal_create
from invoices.models import Invoice
from notifications.models import Message
from policies.models import Contract, InsuredPerson

from . import axe
from .keys import dangling_idrefs, unexplained_invalid

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 390)
APPS = {
    "accounts",
    "policies",
    "invoices",
    "payments",
    "feedback",
    "faq",
    "clinics",
    "care",
    "portal",
}
# URL names the walk below opens (directly or by clicking through).
PAGES_SWEPT = {
    "accounts:login",
    "accounts:register",
    "accounts:password_forgot",
    "accounts:password_forgot_confirm",
    "accounts:consent_text",
    "accounts:profile",
    "accounts:consent_withdraw",
    "policies:my_policies",
    "policies:card",
    "invoices:my_invoices",
    "invoices:upcoming",
    "invoices:spending",
    "invoices:instalments",
    "invoices:detail",
    "payments:sandbox_checkout",
    "payments:receipt",
    "feedback:index",
    "feedback:detail",
    "feedback:travel",
    "faq:index",
    "clinics:index",
    "clinics:prices",
    "care:requests",
    "care:sos",
    "care:support",
    "portal:offline",
}
PAGES_NOT_SWEPT = {
    "portal:favicon": "a redirect to the app icon, not a page",
    "accounts:logout": "POST only, redirects to the login page",
    "accounts:register_confirm": "the same template as password_forgot_confirm (swept)",
    "accounts:register_resend": "POST only, redirects back to the code page",
    "accounts:password_forgot_resend": "POST only, redirects back to the code page",
    "accounts:password_reset_new": "two fields in the same _field.html as the swept forms",
    "accounts:consent_text_version": "the same template as consent_text (swept)",
    "accounts:profile_email": "POST only: renders the profile page with errors (swept)",
    "accounts:profile_password": "POST only: renders the profile page with errors (swept)",
    "accounts:profile_phone": "POST only: renders the profile page with errors (swept)",
    "accounts:email_confirm": "a message page in the base layout after a signed link",
    "accounts:profile_phone_confirm": "the same template as password_forgot_confirm (swept)",
    "accounts:profile_phone_resend": "POST only, redirects back to the code page",
    "accounts:profile_change_confirm": "the same template as password_forgot_confirm (swept)",
    "accounts:profile_change_resend": "POST only, redirects back to the code page",
    "accounts:profile_change_lost_phone": "POST only, redirects",
    "accounts:profile_change_approve": "a message page in the base layout after a signed link",
    "accounts:profile_change_continue": "POST only, redirects",
    "policies:certificate": "a PDF",
    "invoices:export_xlsx": "an XLSX file",
    "invoices:spending_xlsx": "an XLSX file",
    "accounts:profile_digest": "POST only, redirects to the profile page (swept)",
    "invoices:xlsx": "an XLSX file",
    "invoices:pdf": "a PDF",
    "payments:start": "POST only: redirects to the sandbox checkout (swept)",
    "payments:resume": "POST only, redirects to the checkout",
    "payments:return": "redirects to «Мои счета» with the result (swept)",
    "payments:notification": "the provider's webhook, no page",
    "feedback:attachment": "a stored file",
    "feedback:travel_pdf": "a PDF",
    "feedback:travel_cancel": "POST only, redirects to ВЗР",
    "care:request_answer": "POST only, redirects to the requests page",
    "care:request_cancel": "POST only, redirects to the requests page",
    "care:support_messages": "an HTML fragment polled into the support page (swept there)",
    "care:support_attachment": "a stored file",
    "portal:healthz": "the load balancer's health check, JSON",
    "portal:manifest": "the web app manifest, JSON",
    "portal:service_worker": "JavaScript",
}


def _names(resolver, namespace=""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _names(p, p.namespace or namespace)
        elif isinstance(p, URLPattern) and p.name and namespace in APPS:
            yield f"{namespace}:{p.name}"


def test_every_insured_page_is_swept_or_excused():
    names = set(_names(get_resolver()))
    assert names - PAGES_SWEPT - set(PAGES_NOT_SWEPT) == set()
    assert PAGES_SWEPT & set(PAGES_NOT_SWEPT) == set()


@pytest.fixture
def demo_world(db, settings, tmp_path, staff_group):
    """seed_demo's data, plus what the demo lacks for the pages to show their tables: an
    appeal and notification history for Иванов."""
    settings.MEDIA_ROOT = tmp_path
    staff_group("Медпульт")  # the staff groups come from migrations that a flush removed
    call_command("seed_demo", force=True, stdout=io.StringIO())
    ivanov = InsuredPerson.objects.get(last_name="Иванов", first_name="Иван")
    # The demo's invoices are below 3 000 ₽: a lower threshold lets «Оплатить частями» open.
    Contract.objects.update(instalment_threshold="0.03")
    appeal_create(user=ivanov.user, person=ivanov, kind=Appeal.Kind.QUESTION, text="Вопрос о счёте")
    for n in range(3):
        Message.objects.create(
            event="payment_received",
            channel="email",
            recipient="ivanov@example.com",
            user_id=ivanov.user_id,
            subject="Оплата получена",
            body=f"Оплата {n} по счёту получена.",
        )
    return ivanov


class Sweep:
    def __init__(self, page, base):
        self.page, self.base, self.found, self.seen = page, base, {}, []

    def check(self, where: str) -> None:
        """axe at each width on the page as it is (no reload between widths), once its
        stylesheets have loaded: after a click the title may match before they have, and axe
        would judge the unstyled page."""
        self.page.wait_for_load_state("load")
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": 900})
            violations = axe.serious(self.page)
            if violations:
                self.found[f"{where} @{width}"] = violations
        # Beside axe (which passes an aria-describedby if any one of its ids exists): every
        # id named must exist, and every invalid field must name its error.
        broken = dangling_idrefs(self.page) + unexplained_invalid(self.page)
        if broken:
            self.found[where + " (ids)"] = [
                {"id": "idref", "impact": "serious", "help": "dangling ids", "nodes": broken}
            ]
        self.seen.append(where)
        self.page.set_viewport_size({"width": 1280, "height": 900})

    def visit(self, path: str, where: str | None = None) -> None:
        self.page.goto(self.base + path)
        self.check(where or path)

    def submit_empty(self, button: str, where: str) -> None:
        """Send the form as it is (fields empty): the page comes back with its errors."""
        self.page.get_by_role("button", name=button, exact=True).first.click()
        expect(self.page).to_have_title(re.compile("^Ошибка: "))
        self.check(where + " (ошибки)")


def test_axe_finds_no_serious_violation_on_any_page(live_server, browser, demo_world):
    context = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow")
    axe.install(context)
    page = context.new_page()
    s = Sweep(page, live_server.url)
    ivanov = demo_world

    # Signed out: login, registration, recovery, the consent text.
    s.visit(reverse("accounts:login"))
    s.submit_empty("Войти", "login")
    s.visit(reverse("accounts:register"))
    s.submit_empty("Зарегистрироваться", "register")
    s.visit(reverse("accounts:consent_text"))
    s.visit(reverse("accounts:password_forgot"))
    s.submit_empty("Получить код", "password_forgot")
    page.get_by_label("Номер телефона").fill("9990000001")
    page.get_by_role("button", name="Получить код").click()
    expect(page.get_by_role("heading", name="Подтверждение телефона")).to_be_visible()
    s.check("password_forgot_confirm")
    s.submit_empty("Подтвердить", "password_forgot_confirm")
    s.visit(reverse("faq:index"), "faq (signed out)")
    s.visit(reverse("portal:offline"))
    page.goto(live_server.url + "/no-such-page/")
    s.check("404")

    # Signed in, by the form as a person does.
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("Номер телефона").fill("9990000001")
    page.get_by_label("Пароль").fill("Demo-2026!")
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("heading", name="Мои полисы")).to_be_visible()
    s.check("my_policies")
    s.visit(reverse("policies:card", args=[ivanov.pk]))

    s.visit(reverse("invoices:my_invoices"))
    page.locator("a.invoice-file[data-details]").first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("ИТОГО К ОПЛАТЕ")).to_be_visible()
    # Bootstrap focuses the window when its fade-in has ended: axe then sees the final colours.
    expect(dialog).to_be_focused()
    s.check("my_invoices, details window open")
    dialog.get_by_role("button", name="Закрыть").click()
    expect(dialog).to_be_hidden()
    detail = page.locator("a.invoice-file[data-details]").first.get_attribute("href")
    s.visit(detail, "invoice detail page")
    s.visit(reverse("invoices:upcoming"))
    s.visit(reverse("invoices:spending"))
    s.visit(reverse("invoices:spending") + "?year=1900", "spending (bad year)")
    s.visit(reverse("invoices:my_invoices") + "?date_from=99.99.9999", "my_invoices (bad filter)")
    new = Invoice.objects.filter(payer=ivanov, status=Invoice.Status.NEW).order_by("pk").first()
    s.visit(reverse("invoices:instalments", args=[new.pk]), "«Оплатить частями» (the schedules)")

    # Pay one invoice in the sandbox: checkout, the result, the receipt.
    page.goto(live_server.url + reverse("invoices:my_invoices"))
    page.locator("input.js-pick:not(:disabled)").first.check()
    page.get_by_role("button", name=re.compile("^ОПЛАТИТЬ")).click()
    expect(page.get_by_text("Тестовая касса")).to_be_visible()
    s.check("sandbox checkout")
    page.get_by_role("button", name="Оплатить").click()
    expect(page.get_by_text("Оплата прошла успешно")).to_be_visible()
    s.check("my_invoices after payment (message, history)")
    page.get_by_role("link", name="Кассовый чек").first.click()
    expect(page.get_by_role("heading", name=re.compile("чек", re.I)).first).to_be_visible()
    s.check("receipt")

    s.visit(reverse("feedback:index"))
    s.submit_empty("Отправить", "feedback")
    s.visit(reverse("feedback:detail", args=[Appeal.objects.get().pk]))
    s.visit(reverse("feedback:travel"))
    s.submit_empty("Оформить полис", "travel")
    s.visit(reverse("faq:index"))
    s.visit(reverse("clinics:index"))
    s.visit(reverse("clinics:prices") + "?q=приём", "clinic prices (a search)")
    s.visit(reverse("care:requests"))
    s.submit_empty("Отправить заявку", "care requests")
    s.visit(reverse("care:sos"))
    s.visit(reverse("care:support"))
    s.submit_empty("Отправить", "support")
    s.visit(reverse("accounts:profile"))
    s.submit_empty("Отправить ссылку для подтверждения", "profile e-mail")
    s.submit_empty("Изменить пароль", "profile password")
    s.visit(reverse("accounts:consent_withdraw"))
    context.close()

    assert not s.found, "axe (serious/critical):\n" + axe.report(s.found)
