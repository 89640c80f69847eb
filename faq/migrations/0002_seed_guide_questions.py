"""The guide's four questions, verbatim, with answers as SPEC §3.7 gives them."""

from django.db import migrations

QUESTIONS = [
    (
        "Как зарегистрироваться в Личном кабинете?",
        "Нажмите «Регистрация» на странице входа в личный кабинет, заполните анкету так, как "
        "указано в полисе, и подтвердите номер телефона кодом из SMS.\n"
        "Мобильное приложение страховой компании — отдельный сервис со своей регистрацией: "
        "учётная запись приложения не подходит для входа в этот личный кабинет.",
    ),
    (
        "Как активировать франшизу?",
        "Откройте раздел «Мои полисы», отметьте «Я подтверждаю и даю согласие…» и нажмите "
        "«Отправить». Активация вступает в силу со следующего рабочего дня — с этого дня можно "
        "обращаться в клиники.\n"
        "Активация выполняется только в личном кабинете.",
    ),
    (
        "Когда и где я могу увидеть счета за оказанные услуги?",
        "В течение 1,5–2 месяцев после визита страховая компания получает счета клиники, "
        "рассчитывает франшизу и присылает вам SMS. Подробности — в разделе «Мои счета».",
    ),
    (
        "Что будет, если не оплатить счета за медицинские услуги?",
        "Обслуживание будет переведено на программу экстренной помощи через медицинский пульт, "
        "а страховая компания вправе взыскать неоплаченную франшизу и неустойку в порядке, "
        "предусмотренном законом.",
    ),
]


def seed(apps, schema_editor):
    group_model = apps.get_model("faq", "FaqGroup")
    item_model = apps.get_model("faq", "FaqItem")
    group = group_model.objects.create(title="Личный кабинет и франшиза", position=1)
    for position, (question, answer) in enumerate(QUESTIONS, start=1):
        item_model.objects.create(group=group, question=question, answer=answer,
                                  position=position)


def unseed(apps, schema_editor):
    apps.get_model("faq", "FaqItem").objects.filter(
        question__in=[q for q, _ in QUESTIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("faq", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
