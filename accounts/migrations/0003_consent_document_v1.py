"""Publishes version 1 of the consent text for the personal account (152-FZ art. 9)."""

from django.conf import settings
from django.db import migrations

from accounts.models import CONSENT_SECTION_NAMES, consent_text_hash

TITLE = "Согласие на обработку персональных данных для ведения личного кабинета застрахованного ДМС"


def texts() -> dict:
    insurer = settings.INSURER
    return {
        "operator": (
            f"{insurer['name']}, ИНН {insurer['inn']}, КПП {insurer['kpp']}, "
            f"телефон {insurer['phone']} (далее — Оператор)."
        ),
        "purpose_text": (
            "Регистрация и ведение личного кабинета застрахованного по договору добровольного "
            "медицинского страхования (ДМС): вход в кабинет, активация франшизы, просмотр и "
            "оплата счетов за франшизу, обращения, уведомления по SMS и электронной почте."
        ),
        "data_categories": (
            "Фамилия, имя, отчество; дата рождения; номер полиса ДМС и табельный номер; номер "
            "мобильного телефона; адрес электронной почты; сведения об оказанных медицинских "
            "услугах в объёме счетов за франшизу (дата, наименование, стоимость, лечебное "
            "учреждение); сведения об оплатах; IP-адрес и данные браузера при входе и действиях "
            "в кабинете."
        ),
        "actions": (
            "Сбор, запись, систематизация, накопление, хранение, уточнение (обновление, "
            "изменение), извлечение, использование, передача (предоставление, доступ) лицам, "
            "указанным ниже, блокирование, удаление, уничтожение — с использованием средств "
            "автоматизации и без них."
        ),
        "processors": (
            "Оператор SMS-рассылок — для отправки одноразовых кодов и уведомлений; почтовый "
            "сервис — для отправки писем; платёжный сервис (ЮKassa) — для приёма оплаты счетов; "
            "хостинг-провайдер в Российской Федерации — для размещения личного кабинета. Каждый "
            "из них обрабатывает данные по поручению Оператора и только для указанной цели."
        ),
        "term": (
            "Со дня регистрации в личном кабинете до отзыва согласия или до окончания срока "
            "страхования по договору ДМС; после окончания страхования — 3 года для расчётов по "
            "франшизе, затем данные уничтожаются."
        ),
        "withdrawal": (
            "Отозвать согласие можно в любой момент в разделе «Личные данные» (кнопка «Отозвать "
            "согласие») или письменным заявлением Оператору. После отзыва личный кабинет "
            "закрывается, а Оператор прекращает обработку для этой цели и уничтожает данные в "
            "течение 30 дней, кроме данных, которые он обязан или вправе обрабатывать без "
            "согласия (исполнение договора ДМС, требования закона)."
        ),
    }


def publish_v1(apps, schema_editor):
    ConsentDocument = apps.get_model("accounts", "ConsentDocument")
    if ConsentDocument.objects.filter(purpose="portal", version="1").exists():
        return
    fields = texts()
    sections = [(name, fields[field]) for field, name in CONSENT_SECTION_NAMES]
    ConsentDocument.objects.create(
        purpose="portal",
        version="1",
        title=TITLE,
        content_hash=consent_text_hash(
            purpose="portal", version="1", title=TITLE, sections=sections
        ),
        **fields,
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_consent_codes_pending")]

    operations = [migrations.RunPython(publish_v1, migrations.RunPython.noop)]
