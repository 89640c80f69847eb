"""«Мои полисы», «Мои счета», payment and disputes: Иванов from the demo data walks them."""

import re

from playwright.sync_api import expect

from .model import Step, Tour


def policies(tour: Tour):
    # Иванов is signed in: the recovery of his password ended in his account.
    tour.go("/policies/")
    return tour.page.get_by_role("region", name="Иванов Иван Иванович")


def policy_card(tour: Tour):
    card = tour.page.get_by_role("region", name="Иванов Иван Иванович")
    card.get_by_role("link", name="Карточка полиса").click()
    expect(tour.page.get_by_text("Карточка полиса").first).to_be_visible()
    return tour.page.get_by_role("article").first


def upcoming(tour: Tour):
    tour.page.get_by_role("link", name="Предстоящие начисления").click()
    expect(tour.page.get_by_role("link", name="Это был не я").first).to_be_visible()
    return tour.page.get_by_role("region", name="Иванов Иван Иванович")


def invoices(tour: Tour):
    tour.page.get_by_role("link", name="Мои счета").first.click()
    expect(tour.page.get_by_role("heading", name="Мои счета")).to_be_visible()
    return tour.page.get_by_role("note").first


def invoice_details(tour: Tour):
    tour.page.get_by_role("link", name="Счёт 2026/10/1", exact=True).click()
    modal = tour.page.get_by_role("dialog")
    expect(modal.get_by_role("heading", name="Счёт № 2026/10/1")).to_be_visible()
    return modal.locator(".modal-content")


def pay_choose(tour: Tour):
    tour.page.get_by_role("dialog").get_by_role("button", name="Закрыть").first.click()
    expect(tour.page.get_by_role("dialog")).to_be_hidden()
    for number in ("2026/10/1", "2026/10/2"):
        tour.page.get_by_label(f"Выбрать счёт {number}").check()
    pay = tour.page.get_by_role("button", name=re.compile("^ОПЛАТИТЬ"))
    expect(pay).to_have_text(re.compile(r"ОПЛАТИТЬ\s1,30\s₽"))
    return pay


def pay_checkout(tour: Tour):
    tour.page.get_by_role("button", name=re.compile("^ОПЛАТИТЬ")).click()
    expect(tour.page.get_by_text("Тестовая касса").first).to_be_visible()
    return tour.page.get_by_role("button", name="Оплатить")


def paid(tour: Tour):
    tour.page.get_by_role("button", name="Оплатить").click()
    expect(tour.page.get_by_text("Оплата прошла успешно")).to_be_visible()
    return tour.page.get_by_role("region", name="История платежей")


def dispute(tour: Tour):
    tour.page.get_by_role("link", name="Счета", exact=True).click()
    tour.page.get_by_role("link", name="Счёт 2026/10/1", exact=True).click()
    modal = tour.page.get_by_role("dialog")
    modal.get_by_role("link", name="Несогласие с услугой").click()
    expect(tour.page.get_by_label("Несогласие с услугой")).to_be_checked()
    tour.page.get_by_label(re.compile("Пульсоксиметрия")).check()
    tour.page.get_by_label("Услуга не оказывалась").check()
    tour.page.get_by_label("Текст обращения").fill(
        "Пульсоксиметрию 16 октября мне не делали: в этот день я был только на приёме."
    )
    return tour.page.get_by_role("region", name="Новое обращение")


def disputed(tour: Tour):
    tour.page.get_by_role("button", name="Отправить").click()
    sent = tour.page.get_by_text(re.compile(r"Обращение № \d+ отправлено. Ответ — до"))
    expect(sent).to_be_visible()
    return tour.page.get_by_text("Срок ответа").locator("xpath=ancestor::section[1]")


def appeals(tour: Tour):
    tour.page.get_by_role("link", name="← Формы обратной связи").click()
    return tour.page.get_by_role("region", name="Мои обращения")


STEPS = [
    Step(
        "policies",
        "Мои полисы",
        "Раздел «Мои полисы» открывается после входа. В нём ваш полис и полисы родственников, "
        "за которых вы платите: номер, период действия, программа, состояние франшизы "
        "(«Активирована с …») и телефон медицинского пульта. «Полис (PDF)» — полис для печати.",
        policies,
        rules=(
            "Проверяйте личный кабинет ежемесячно: счета и сообщения о них приходят сюда.",
            "Если счёт не оплачен в срок, на этой странице появляется предупреждение о "
            "переводе на экстренную помощь.",
        ),
        phone=True,
    ),
    Step(
        "policy-card",
        "Карточка полиса",
        "«Карточка полиса» — то, что показывают в клинике: ФИО, номер полиса с QR-кодом, "
        "период, программа, состояние франшизы и телефон медицинского пульта. На телефоне "
        "кабинет устанавливается как приложение, а уже открытые карточки видны и без сети.",
        policy_card,
        phone=True,
    ),
    Step(
        "invoices",
        "Мои счета",
        "«Мои счета» — счета на сооплату, новые сверху: номер, дата формирования, "
        "застрахованный, суммы и статус (НОВЫЙ, ОЖИДАЕТ ОПЛАТЫ, ОПЛАЧЕН, ПРОСРОЧЕН, "
        "ОСПАРИВАЕТСЯ, АННУЛИРОВАН), срок «Оплатить до». Счета родственников видит и оплачивает "
        "сотрудник. Фильтры сверху отбирают счета по статусу, застрахованному и датам.",
        invoices,
        rules=(
            "Счета формируются раз в месяц (3-го числа) — по одному на застрахованного за все "
            "загруженные услуги.",
            "Счёт нужно оплатить в течение 30 рабочих дней с момента появления в кабинете "
            "(или в срок, заданный договором).",
            "При неоплате обслуживание переводится на программу «Экстренная помощь через "
            "медицинский пульт», а отчёт о задолженности уходит работодателю; когда все "
            "просроченные счета оплачены, программа восстанавливается.",
            "ИТОГО К ОПЛАТЕ = СУММА СООПЛАТЫ − Гарантийный взнос − Корректировка.",
        ),
        phone=True,
    ),
    Step(
        "invoice-details",
        "Детализация счёта",
        "Значок в колонке «СЧЕТ» открывает детализацию: клиника, даты и названия услуг, их "
        "стоимость и ваша доля. Здесь же — файл счёта (XLSX), счёт в PDF и ссылка "
        "«Несогласие с услугой».",
        invoice_details,
        phone=True,
    ),
    Step(
        "pay-choose",
        "Оплата нескольких счетов",
        "Отметьте счета в колонке «ВЫБРАТЬ» — кнопка внизу покажет общую сумму, например "
        "«ОПЛАТИТЬ 1,30 ₽». Несколько счетов оплачиваются одним платежом. Оплаченные и "
        "оспариваемые счета выбрать нельзя: подсказка объясняет почему.",
        pay_choose,
        phone=True,
    ),
    Step(
        "pay-checkout",
        "Страница оплаты",
        "Кнопка «ОПЛАТИТЬ» ведёт на страницу платёжного сервиса. На демонстрационном стенде это "
        "тестовая касса: деньги не списываются, кнопки «Оплатить» и «Отказаться» показывают "
        "оба исхода.",
        pay_checkout,
    ),
    Step(
        "paid",
        "Счета оплачены",
        "После оплаты счета получают статус ОПЛАЧЕН, а платёж появляется в «Истории платежей» "
        "с кассовым чеком.",
        paid,
    ),
    Step(
        "upcoming",
        "Предстоящие начисления",
        "Вкладка «Предстоящие начисления» раздела «Мои счета» показывает услуги, которые "
        "клиника уже передала страховой компании, но которые ещё не вошли в счёт. Если услуги "
        "не было, нажмите «Это был не я» — услуга не попадёт в счёт до решения экспертизы.",
        upcoming,
        rules=(
            "Клиники присылают реестры услуг раз в месяц, поэтому счёт приходит через "
            "1,5–2 месяца после визита; о новом счёте сообщает SMS.",
        ),
    ),
    Step(
        "dispute",
        "Несогласие с услугой",
        "Не согласны с услугой в счёте — откройте детализацию и нажмите «Несогласие с "
        "услугой». Форма откроется с выбранным счётом: отметьте услуги, причину («Услуга не "
        "оказывалась» или «Услуга оказана в другом количестве»), опишите ситуацию и при "
        "необходимости приложите документы (PDF, JPG, PNG).",
        dispute,
        rules=(
            "Пока обращение рассматривается, срок оплаты счёта приостанавливается.",
            "Экспертиза отвечает в течение 15 календарных дней; о продлении срока и его "
            "причине вам сообщат.",
            "Обращение удовлетворено — корректировка уменьшает сооплату (уже оплаченная сумма "
            "зачитывается в гарантийный взнос или возвращается по просьбе). Отклонено — на "
            "оплату остаётся не меньше 10 дней.",
        ),
        phone=True,
    ),
    Step(
        "appeal",
        "Обращение зарегистрировано",
        "После отправки открывается страница обращения: номер, срок ответа, оспариваемые "
        "услуги и история обращения. Оплаченный счёт остаётся ОПЛАЧЕН с отметкой «спор»; "
        "неоплаченный получает статус ОСПАРИВАЕТСЯ.",
        disputed,
        rules=("Срок ответа — 15 календарных дней со дня регистрации обращения.",),
    ),
    Step(
        "feedback",
        "Формы обратной связи",
        "Все обращения — в списке «Мои обращения» раздела «Формы обратной связи» со статусом и "
        "сроком ответа; ответ экспертизы приходит сюда. Здесь же можно задать вопрос, сообщить "
        "об изменении контактных данных или написать о другом.",
        appeals,
    ),
]
