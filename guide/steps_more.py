"""Beyond money: «Личные данные», «Бонусный ВЗР», FAQ, clinics, the doctor, SOS, support."""

import re

from playwright.sync_api import expect

from .model import Step, Tour


def profile(tour: Tour):
    tour.page.get_by_role("link", name="Личные данные").first.click()
    expect(tour.page.get_by_role("heading", name="Личные данные")).to_be_visible()
    return tour.page.get_by_role("region", name="Мои данные")


def travel(tour: Tour):
    tour.page.get_by_role("link", name="Бонусный ВЗР").first.click()
    tour.page.get_by_label("Шенгенская зона (все страны)").check()
    tour.page.get_by_label("Дата начала").fill("10.01.2027")
    tour.page.get_by_label("Дата окончания").fill("17.01.2027")
    return tour.page.get_by_role("region", name="Оформить полис")


def travel_issued(tour: Tour):
    tour.page.get_by_role("button", name="Оформить полис").click()
    button = tour.page.get_by_role("button", name=re.compile("^Отменить полис"))
    expect(button.first).to_be_visible()
    return button.first.locator("xpath=ancestor::*[self::li or self::tr or self::article][1]")


def faq(tour: Tour):
    tour.page.get_by_role("link", name="Часто задаваемые вопросы").first.click()
    expect(tour.page.get_by_role("heading", name="Часто задаваемые вопросы").first).to_be_visible()
    return None


def prices(tour: Tour):
    tour.page.get_by_role("link", name="Мои полисы").first.click()
    tour.page.get_by_role("link", name="Стоимость услуги").click()
    tour.page.get_by_label("Название услуги").fill("приема терапевтов")
    tour.page.get_by_role("button", name="Найти").click()
    row = tour.page.locator(".price-row").filter(has_text="Приём врача-терапевта первичный")
    expect(row.locator(".price-row__price")).to_have_text(re.compile(r"^1\s520,80\s₽$"))
    expect(row.locator(".price-row__share")).to_have_text(re.compile(r"^304,16\s₽$"))
    expect(tour.page.get_by_text("Итоговая сумма определяется реестром клиники.")).to_be_visible()
    return tour.page.locator(".price-table")


def clinics(tour: Tour):
    tour.page.get_by_role("link", name="Клиники").first.click()
    tour.page.get_by_label("Поиск по названию, адресу или услуге").fill("стоматологию")
    tour.page.get_by_role("button", name="Найти").click()
    expect(tour.page.get_by_role("heading", name="Клиника «Здоровье»")).to_be_visible()
    return tour.page.get_by_role("search")


def doctor(tour: Tour):
    tour.page.get_by_role("link", name="Запись к врачу").first.click()
    form = tour.page.get_by_role("region", name="Новая заявка")
    form.get_by_label("Клиника").select_option(index=1)
    form.get_by_label("Специальность").fill("Стоматолог")
    form.get_by_label("Желаемые даты").fill("19–20 ноября, утром")
    return form


def doctor_sent(tour: Tour):
    tour.page.get_by_role("button", name="Отправить заявку").click()
    expect(tour.page.get_by_text("Заявок пока нет.")).to_have_count(0)
    return tour.page.get_by_role("heading", name="Мои заявки")


def sos(tour: Tour):
    tour.page.get_by_role("link", name="SOS — срочная помощь медицинского пульта").click()
    expect(tour.page.get_by_role("heading", name="SOS", exact=True)).to_be_visible()
    return tour.page.get_by_role("link", name="SOS — срочная помощь медицинского пульта")


def support(tour: Tour):
    tour.page.get_by_role("link", name="Поддержка").first.click()
    tour.page.get_by_label("Сообщение").fill("Как получить справку для налогового вычета?")
    tour.page.get_by_role("button", name="Отправить").click()
    conversation = tour.page.get_by_role("region", name="Переписка")
    expect(conversation).to_contain_text("налогового вычета")
    return conversation


STEPS = [
    Step(
        "profile",
        "Личные данные",
        "«Личные данные»: ФИО, дата рождения, номер полиса и страхователь (их передаёт "
        "работодатель — если в них ошибка, напишите через «Формы обратной связи»), телефон и "
        "e-mail. Здесь меняют e-mail, телефон и пароль, смотрят историю уведомлений и "
        "согласие на обработку персональных данных.",
        profile,
        rules=(
            "Об изменении контактных данных нужно сообщить в течение 5 дней — иначе SMS о "
            "счетах и сроках оплаты до вас не дойдут.",
            "Новый телефон или e-mail подтверждается текущим паролем и кодом, отправленным на "
            "текущий телефон.",
            "Отзыв согласия на обработку персональных данных закрывает личный кабинет.",
        ),
        phone=True,
    ),
    Step(
        "travel",
        "Бонусный ВЗР",
        "«Бонусный ВЗР» — бесплатный полис для поездки за границу. Отметьте страны (для Европы "
        "— «Шенгенская зона»), даты поездки и путешественников; имена — латиницей, как в "
        "загранпаспорте.",
        travel,
        rules=(
            "Дни поездок входят в годовой лимит договора (в демо-договоре — 30 дней) и должны "
            "лежать в периоде полиса ДМС; поездки одного путешественника не пересекаются.",
        ),
    ),
    Step(
        "travel-issued",
        "Полис ВЗР оформлен",
        "Оформленный полис появляется в списке: его PDF на русском и английском языках можно "
        "скачать и распечатать. До начала поездки полис можно отменить — дни вернутся в лимит.",
        travel_issued,
    ),
    Step(
        "faq",
        "Часто задаваемые вопросы",
        "Ответы на частые вопросы — в разделе «Часто задаваемые вопросы» (ссылка есть и внизу "
        "каждой страницы, в том числе до входа).",
        faq,
    ),
    Step(
        "prices",
        "Стоимость услуги",
        "Кнопка «Стоимость услуги» в разделе «Мои полисы» помогает узнать цену до визита. "
        "Введите название услуги (поиск понимает разные формы слов: «приема терапевтов» найдёт "
        "«Приём врача-терапевта») и при необходимости выберите клинику — появятся цена по "
        "прейскуранту клиники и «Ваша доля»: часть цены, которую по договору оплачиваете вы "
        "(в демо-договоре — 20 %, с 1 520,80 ₽ это 304,16 ₽).",
        prices,
        rules=(
            "Это оценка: итоговая сумма определяется реестром клиники — счёт считается от "
            "стоимости услуги, которую клиника передаст после приёма.",
        ),
        phone=True,
    ),
    Step(
        "clinics",
        "Клиники",
        "«Клиники» — клиники вашей программы с адресами, телефонами и услугами. Поиск "
        "понимает разные формы слов: «стоматологию» найдёт «Стоматология». «Построить "
        "маршрут» открывает карту.",
        clinics,
        phone=True,
    ),
    Step(
        "doctor",
        "Запись к врачу",
        "В «Записи к врачу» выберите застрахованного, клинику, специальность и удобные даты — "
        "медицинский пульт подберёт время и пришлёт подтверждение или другое время.",
        doctor,
        rules=("Запись по программе доступна после активации франшизы.",),
    ),
    Step(
        "doctor-sent",
        "Мои заявки",
        "Заявка появляется в списке «Мои заявки» со статусом; ответ пульта приходит сюда и в SMS.",
        doctor_sent,
    ),
    Step(
        "sos",
        "SOS — срочная помощь",
        "Красная кнопка SOS в шапке каждой страницы открывает страницу срочной помощи: "
        "кнопку звонка на круглосуточный медицинский пульт и форму «Нужна помощь» — запрос "
        "попадёт первым в очередь пульта, вам перезвонят. При угрозе жизни звоните 112.",
        sos,
        phone=True,
    ),
    Step(
        "support",
        "Поддержка",
        "«Поддержка» — переписка с сотрудниками страховой компании; к сообщению можно "
        "приложить файлы. Число новых ответов видно в меню.",
        support,
        phone=True,
    ),
]
