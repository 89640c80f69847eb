"""Questions people actually ask beyond the guide's four (issue #13), and the stems column
filled for every question (historical models do not run FaqItem.save())."""

from django.db import migrations

from dms_portal.search import stems_column

GROUP = "Счета, обращения и сервисы"
QUESTIONS = [
    (
        "Можно ли оплатить несколько счетов сразу?",
        "Да. В разделе «Мои счета» отметьте нужные счета — кнопка «ОПЛАТИТЬ» покажет общую "
        "сумму — и оплатите их одним платежом. Оплаченные, оспариваемые и аннулированные счета "
        "выбрать нельзя, но их подробности можно открыть.",
    ),
    (
        "Я не согласен со счётом. Как его оспорить и сколько ждать ответа?",
        "Откройте счёт в разделе «Мои счета» и нажмите «Несогласие с услугой»: отметьте "
        "услуги, выберите причину и опишите ситуацию. Пока спор рассматривается, срок оплаты "
        "счёта не идёт. Эксперт отвечает в течение 15 календарных дней; если срок продлевают, "
        "вы получите уведомление с причиной. Если спор принят, сооплата по услуге уменьшается "
        "или снимается; если отклонён — на оплату остаётся не меньше 10 дней.",
    ),
    (
        "Что такое гарантийный взнос за родственника?",
        "Гарантийный взнос вносится за полис родственника. Из него автоматически погашаются "
        "счета этого родственника, начиная со старых; «ИТОГО К ОПЛАТЕ» уменьшается на "
        "зачтённую сумму, а полностью покрытый счёт сразу становится оплаченным.",
    ),
    (
        "Как оформить бонусный полис ВЗР для поездки за границу?",
        "Откройте раздел «Бонусный ВЗР», укажите страны поездки, даты начала и окончания и "
        "путешественников латиницей, как в загранпаспорте. Дни поездки входят в годовой лимит "
        "договора, поездки не могут пересекаться. Полис в PDF на русском и английском языках "
        "появится ниже формы; до начала поездки его можно отменить — дни вернутся в лимит.",
    ),
    (
        "Как изменить телефон или e-mail?",
        "В разделе «Личные данные»: новый e-mail подтверждается по ссылке из письма, новый "
        "телефон — кодом из SMS на этот номер. Страховая компания узнаёт об изменении сразу. "
        "Сообщайте об изменении контактных данных в течение 5 дней.",
    ),
]


def seed(apps, schema_editor):
    group_model = apps.get_model("faq", "FaqGroup")
    item_model = apps.get_model("faq", "FaqItem")
    group = group_model.objects.create(title=GROUP, position=2)
    for position, (question, answer) in enumerate(QUESTIONS, start=1):
        item_model.objects.create(group=group, question=question, answer=answer,
                                  position=position)
    for item in item_model.objects.all():
        item.search_stems = stems_column(item.question, item.answer)
        item.save(update_fields=["search_stems"])


def unseed(apps, schema_editor):
    apps.get_model("faq", "FaqGroup").objects.filter(title=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [("faq", "0003_search_stems")]
    operations = [migrations.RunPython(seed, unseed)]
