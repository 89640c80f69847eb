"""The insurer's staff in the admin: registries, held lines, invoicing, disputes, debts."""

import re
from pathlib import Path

from playwright.sync_api import expect

from .model import Step, Tour

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SAMPLE_REGISTRY = SAMPLES / "registry_demo.csv"
SAMPLE_PRICE_LIST = SAMPLES / "pricelist_demo.csv"
OPERATOR = ("+79990000011", "Operator-2026!", "Операторы")
EXPERT = ("+79990000012", "Expert-2026!", "Эксперты")


def staff_login(tour: Tour, who: tuple[str, str, str]) -> None:
    phone, password, group = who
    tour.page.context.clear_cookies()
    tour.go("/admin/login/")
    tour.page.get_by_label("Моб. телефон").fill(phone)
    tour.page.get_by_label("Пароль").fill(password)
    tour.page.get_by_label("Код из приложения-аутентификатора").fill(tour.portal.totp(group))


def admin_login(tour: Tour):
    staff_login(tour, OPERATOR)
    return tour.page.locator("#login-form, form").first


def registry_upload(tour: Tour):
    tour.page.get_by_role("button", name="Войти").click()
    expect(
        tour.page.get_by_role("link", name="Выход")
        .or_(tour.page.get_by_role("button", name="Выйти"))
        .first
    ).to_be_visible()
    tour.go("/admin/invoices/serviceregistry/add/")
    tour.page.get_by_label("Файл реестра (XLSX или CSV)").set_input_files(str(SAMPLE_REGISTRY))
    return tour.page.get_by_label("Файл реестра (XLSX или CSV)")


def registry_report(tour: Tour):
    tour.page.get_by_role("button", name="Сохранить", exact=True).click()
    # The upload opens the registry's own page with its report.
    expect(tour.page.get_by_text("Загружен", exact=True).first).to_be_visible()
    return tour.page.locator("#content-main").first


def held_lines(tour: Tour):
    tour.go("/admin/invoices/heldserviceline/")
    expect(tour.page.locator("#result_list")).to_contain_text("SAMPLE-5")
    return tour.page.locator("#changelist-form")


def price_list_upload(tour: Tour):
    tour.go("/admin/clinics/pricelist/add/")
    tour.page.get_by_label("Файл прейскуранта (XLSX или CSV)").set_input_files(
        str(SAMPLE_PRICE_LIST)
    )
    return tour.page.locator("#content-main form").first


def price_list_report(tour: Tour):
    tour.page.get_by_role("button", name="Загрузить").click()
    # seed_demo loaded the same file already: the portal says so and opens that list's report.
    expect(tour.page.get_by_text("Этот файл уже загружен; цены не изменились.")).to_be_visible()
    return tour.page.locator("#content-main").first


def invoice_run(tour: Tour):
    tour.go("/admin/invoices/invoicerun/")
    tour.page.get_by_role("link", name="Запустить выставление счетов").click()
    return tour.page.locator("#content-main form").first


def invoice_run_done(tour: Tour):
    tour.page.get_by_role("button", name="Запустить").click()
    expect(tour.page.get_by_text("Завершено", exact=True)).to_be_visible(timeout=30000)
    return tour.page.get_by_text(re.compile(r"Сформировано: \d+")).first


def call_list(tour: Tour):
    tour.go("/admin/debts/debtor/")
    return tour.page.locator("#content-main").first


def employer_reports(tour: Tour):
    tour.go("/admin/debts/employerreport/")
    return tour.page.locator("#content-main").first


def calendar(tour: Tour):
    tour.go("/admin/franchise/calendaroverride/add/")
    return tour.page.locator("#content-main form").first


def appeals(tour: Tour):
    staff_login(tour, EXPERT)
    tour.page.get_by_role("button", name="Войти").click()
    tour.go("/admin/feedback/appeal/")
    expect(tour.page.locator("#result_list")).to_contain_text("Иванов")
    return tour.page.locator("#changelist-form")


def appeal(tour: Tour):
    tour.page.locator("#result_list").get_by_role(
        "link", name=re.compile(r"^Обращение №")
    ).first.click()
    return tour.page.get_by_role("button", name="Принять решение")


BEFORE_INVOICING = [
    Step(
        "admin-login",
        "Вход в админку",
        "Админка — по адресу `/admin/`. Вход: номер телефона, пароль и 6-значный код из "
        "приложения-аутентификатора (TOTP). Приложение подключает администратор командой "
        "`manage.py otp_enroll ТЕЛЕФОН`.",
        admin_login,
        rules=("После 5 неверных попыток вход блокируется на 15 минут.",),
    ),
    Step(
        "admin-registry-upload",
        "Загрузка реестра клиники",
        "«Реестры услуг» → «Добавить»: выберите файл реестра (XLSX или CSV, формат — "
        "`samples/REGISTRY_FORMAT.md`) и нажмите «Сохранить». Реестры можно и класть в папку "
        "входящих: планировщик проверяет её каждые 5 минут.",
        registry_upload,
    ),
    Step(
        "admin-registry-report",
        "Отчёт о загрузке",
        "На странице реестра — итог загрузки: сколько строк загружено, задержано, отклонено и "
        "сколько дублей, с причинами по строкам. Отчёт скачивается в XLSX (листы проблем и "
        "«Проверки строк»: повтор услуги, необычное количество, цена выше обычной, две "
        "клиники в один день). Прерванную загрузку повторяет кнопка «Повторить загрузку».",
        registry_report,
    ),
    Step(
        "admin-held-lines",
        "Задержанные строки",
        "«Задержанные строки» — услуги, которые не могут войти в счёт сами: например, оказанные "
        "до даты активации франшизы (здесь — анализ Петрова 22.10.2026, а франшиза "
        "активирована позже). Оператор решает по каждой строке: выставить или снять.",
        held_lines,
    ),
    Step(
        "admin-pricelist",
        "Прейскуранты клиник",
        "«Прейскуранты клиник» → «Добавить»: файл XLSX или CSV с колонками «Код ЛПУ», «Код "
        "услуги», «Наименование услуги», «Цена», «Действует с» (формат — "
        "`samples/PRICELIST_FORMAT.md`), затем «Загрузить». То же делает команда "
        "`manage.py load_pricelist ФАЙЛ`. По этим ценам застрахованные видят «Стоимость "
        "услуги», а строка реестра с ценой выше прейскуранта получает отметку «Цена выше "
        "обычной».",
        price_list_upload,
    ),
    Step(
        "admin-pricelist-report",
        "Отчёт о загрузке прейскуранта",
        "После загрузки открывается страница прейскуранта: сколько цен загружено, сколько без "
        "изменений, отклонено и дублей, и причины по строкам. Повторная загрузка того же файла "
        "ничего не меняет — на демонстрационном стенде `samples/pricelist_demo.csv` уже "
        "загружен, поэтому портал так и сообщает и открывает его отчёт. Цена с более поздней "
        "датой «Действует с» заменяет прежнюю с этого дня.",
        price_list_report,
    ),
]

AFTER_INVOICING = [
    Step(
        "admin-invoice-run",
        "Выставление счетов",
        "Счета формируются сами 3-го числа каждого месяца. Запустить выставление вручную: "
        "«Выставления счетов» → «Запустить выставление счетов», выбрать период и нажать "
        "«Запустить».",
        invoice_run,
    ),
    Step(
        "admin-invoice-run-done",
        "Результат выставления",
        "Страница выставления обновляется сама, пока оно идёт, и показывает итог: «Сформировано: "
        "N счетов». Застрахованные получают SMS о новом счёте.",
        invoice_run_done,
    ),
    Step(
        "admin-call-list",
        "Список обзвона должников",
        "«Список обзвона должников» — застрахованные с просроченными счетами, по сумме и сроку "
        "долга. Оператор записывает результат звонка; после оплаты всех просроченных счетов "
        "программа восстанавливается (сама или через оператора). «Выгрузить список в XLSX» "
        "— для обзвона. На демонстрационных данных просроченных счетов нет, список пуст.",
        call_list,
        rules=(
            "Напоминания уходят сами: счёт готов; за 7 дней до срока; в последний день; после "
            "просрочки — каждые 7 дней (SMS не приходят с 21:00 до 9:00).",
            "Неустойку (если её предусматривает договор) оператор может списать: в «Счетах» "
            "отметьте счета и выберите действие «Списать неустойку…»; причина обязательна. "
            "Списание — отдельная запись журнала неустойки и журнала аудита, и только с "
            "неоплаченного счёта.",
            "«Графики оплаты частями» — графики, которые застрахованные выбрали для счетов "
            "от порога договора (по умолчанию 3 000 ₽). Действующий график можно отменить с "
            "причиной: неоплаченные части снимаются, счёт снова ждёт одну сумму — остаток; "
            "оплаченные части остаются.",
        ),
    ),
    Step(
        "admin-employer-reports",
        "Отчёты страхователям",
        "Раз в месяц каждый работодатель получает письмо со ссылкой на XLSX-отчёт о долгах "
        "сотрудников старше 2 месяцев (ссылка действует 60 дней). Отправленные отчёты — в "
        "«Отчётах страхователям о долгах» (на демонстрационных данных их ещё нет).",
        employer_reports,
    ),
    Step(
        "admin-calendar",
        "Производственный календарь",
        "Даты активации считаются по производственному календарю России. Если календарь "
        "изменился (перенос выходного), добавьте исключение: дату и рабочий это день или "
        "выходной.",
        calendar,
    ),
    Step(
        "admin-appeals",
        "Очередь обращений",
        "Эксперты (группа «Эксперты») работают в «Обращениях»: очередь со сроком ответа "
        "15 дней, просроченные строки выделены.",
        appeals,
        rules=("Продление срока требует причины; застрахованный о нём узнаёт.",),
    ),
    Step(
        "admin-appeal",
        "Решение по обращению",
        "В обращении — оспариваемые услуги, вложения и переписка. Эксперт назначает "
        "ответственного, пишет внутренние комментарии и принимает решение: удовлетворить "
        "(корректировка уменьшает сооплату) или отклонить (на оплату остаётся не меньше "
        "10 дней).",
        appeal,
    ),
]
