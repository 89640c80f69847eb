"""Registration, activation, login and recovery: Петров from the demo roster walks them."""

from playwright.sync_api import expect

from .model import Step, Tour

PETROV_PHONE = "+79990000003"
PETROV_PASSWORD = "Sosna-Luna-2026"
# Recovery is shown on Иванов's phone: Петров's registration code went out a moment ago, and a
# second code to the same phone waits a minute (the resend limit).
IVANOV_PHONE = "+79990000001"
IVANOV_NEW_PASSWORD = "Kedr-Reka-Sever-7"


def login_page(tour: Tour):
    tour.go("/")
    return tour.page.locator("main form").first


def register(tour: Tour):
    tour.page.get_by_role("link", name="Регистрация").click()
    for label, value in {
        "Фамилия": "Петров",
        "Имя": "Пётр",
        "Отчество": "Петрович",
        "Дата рождения": "15.05.1990",
        "Полис / таб. номер": "DMS-0003",
        "Моб. телефон": "999 000-00-03",
        "E-mail": "petrov@example.com",
        "Пароль": PETROV_PASSWORD,
        "Повторите пароль": PETROV_PASSWORD,
    }.items():
        tour.page.get_by_label(label, exact=True).fill(value)
    tour.page.get_by_label(
        "Я согласен и подтверждаю ознакомление с политикой обработки ПДн"
    ).check()
    return tour.page.locator("main form").first


def register_code(tour: Tour):
    tour.page.get_by_role("button", name="Зарегистрироваться").click()
    expect(tour.page.get_by_role("heading", name="Подтверждение телефона")).to_be_visible()
    tour.page.get_by_label("Код из SMS").fill(tour.portal.sms_code(PETROV_PHONE))
    return tour.page.get_by_label("Код из SMS")


def activation(tour: Tour):
    tour.page.get_by_role("button", name="Подтвердить").click()
    expect(tour.page.get_by_role("heading", name="Мои полисы")).to_be_visible()
    card = tour.page.get_by_role("region", name="Петров Пётр Петрович")
    card.get_by_label("Я подтверждаю и даю согласие").check()
    return card.locator("form").first


def activated(tour: Tour):
    page = tour.page
    petrov = page.get_by_role("region", name="Петров Пётр Петрович")
    petrov.get_by_role("button", name="Отправить").click()
    expect(petrov).to_contain_text("Будет активна с")
    sidorova = page.get_by_role("region", name="Сидорова Анна Сергеевна")
    sidorova.get_by_label("Я подтверждаю и даю согласие").check()
    sidorova.get_by_role("button", name="Отправить").click()
    expect(sidorova).to_contain_text("Будет активна с")
    return page.get_by_role("region", name="Петров Пётр Петрович").get_by_text("Будет активна с")


def recovery(tour: Tour):
    tour.logout()
    tour.page.get_by_role("link", name="Забыли пароль?").click()
    tour.page.get_by_label("Номер телефона").fill("999 000-00-01")
    return tour.page.locator("main form").first


def recovery_new(tour: Tour):
    page = tour.page
    page.get_by_role("button", name="Получить код").click()
    page.get_by_label("Код из SMS").fill(tour.portal.sms_code(IVANOV_PHONE))
    page.get_by_role("button", name="Подтвердить").click()
    page.get_by_label("Новый пароль", exact=True).fill(IVANOV_NEW_PASSWORD)
    page.get_by_label("Повторите пароль").fill(IVANOV_NEW_PASSWORD)
    return page.locator("main form").first


def recovered(tour: Tour):
    tour.page.get_by_role("button", name="Сохранить").click()
    expect(tour.page.get_by_text("Пароль изменён. Войдите с новым паролем.")).to_be_visible()
    tour.login(IVANOV_PHONE, IVANOV_NEW_PASSWORD)
    return None


STEPS = [
    Step(
        "login",
        "Вход в личный кабинет",
        "Личный кабинет открывается по адресу, который сообщил работодатель. Вход — по номеру "
        "мобильного телефона и паролю. Флажок «Запомнить меня» сохраняет вход на этом "
        "устройстве на 30 дней; без него кабинет закрывается вместе с браузером или через "
        "30 минут бездействия. Ссылки «Забыли пароль?» и «Регистрация» — под кнопкой «Войти».",
        login_page,
        rules=(
            "После 5 неверных попыток вход с этим номером блокируется на 15 минут; "
            "восстановление пароля по SMS снимает блокировку.",
        ),
        phone=True,
    ),
    Step(
        "register",
        "Регистрация",
        "Нажмите «Регистрация» и укажите данные так, как они записаны в полисе ДМС: фамилию, "
        "имя, отчество, дату рождения и номер полиса или табельный номер. Портал находит вас в "
        "списке застрахованных, который передал работодатель. Придумайте пароль не короче "
        "12 символов и отметьте согласие на обработку персональных данных.",
        register,
        rules=(
            "Зарегистрироваться может только совершеннолетний застрахованный (18 лет на день "
            "регистрации); кабинетом родственника-ребёнка пользуется сотрудник.",
            "Одна учётная запись — на одного застрахованного и один номер телефона.",
        ),
        phone=True,
    ),
    Step(
        "register-code",
        "Подтверждение телефона",
        "На указанный номер приходит SMS с 6-значным кодом. Введите его и нажмите "
        "«Подтвердить» — регистрация завершена, открывается раздел «Мои полисы».",
        register_code,
        rules=(
            "Код действует 10 минут и годится один раз; после 5 неверных попыток он сгорает. "
            "Новый код можно запросить раз в минуту.",
        ),
    ),
    Step(
        "activation",
        "Активация франшизы",
        "Перед первым визитом в клинику активируйте франшизу: в карточке полиса прочитайте "
        "порядок активации, отметьте «Я подтверждаю и даю согласие» и нажмите «Отправить». "
        "Полисы родственников (детей, супругов) сотрудник активирует на этой же странице.",
        activation,
        rules=(
            "Активируйте франшизу до обращения в клинику — только в личном кабинете. Услуги, "
            "оказанные до даты активации, не выставляются в счёт автоматически, а ждут решения "
            "оператора.",
            "В клинике ничего платить не нужно: вашу долю (сооплату, 20 %) страховая компания "
            "выставит счётом позже.",
        ),
        phone=True,
    ),
    Step(
        "activated",
        "Франшиза активирована",
        "После отправки в карточке видна дата, с которой франшиза действует: «Будет активна "
        "с …». С этой даты можно обращаться в клиники по программе.",
        activated,
        rules=(
            "Обслуживание доступно со следующего рабочего дня по производственному календарю "
            "(московское время, праздники и переносы учитываются).",
        ),
    ),
    Step(
        "recovery",
        "Восстановление пароля",
        "Забыли пароль — нажмите «Забыли пароль?» на странице входа и укажите номер телефона, "
        "с которым регистрировались. Мы отправим на него код в SMS.",
        recovery,
    ),
    Step(
        "recovery-new",
        "Новый пароль",
        "После кода из SMS задайте новый пароль и повторите его. После сохранения откроется "
        "страница входа — войдите с новым паролем.",
        recovery_new,
        rules=("Новый пароль — не короче 12 символов и не из списка распространённых.",),
    ),
]
# The last action (saving the new password, then Иванов signs in with it) has no picture of its own.
FINISH = recovered
