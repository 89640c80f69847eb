"""«Неустойка» explained (#15): what it is, where it shows, how to stop it. An answer in the
same group as the other invoice questions; the guide's own four stay verbatim."""

from django.db import migrations
from django.db.models import Max

from dms_portal.search import stems_column

GROUP = "Счета, обращения и сервисы"
QUESTION = "Что такое неустойка в счёте и как сделать, чтобы она не начислялась?"
ANSWER = (
    "Если договор ДМС это предусматривает, за каждый день просрочки оплаты счёта начисляется "
    "неустойка: процент от неоплаченной сооплаты в день, всего не больше предела по договору; "
    "ставку, предел и льготный период вы увидите в разделе «Мои счета». Неустойка видна в "
    "строке счёта («в т. ч. неустойка»), в его подробностях, в файле и в PDF, входит в "
    "«ИТОГО К ОПЛАТЕ» и оплачивается вместе со счётом. Чтобы она перестала начисляться, "
    "оплатите счёт. Пока рассматривается ваше обращение «Несогласие с услугой» по счёту, "
    "неустойка не начисляется; если экспертиза снимет всю сооплату по счёту, неустойка по нему "
    "тоже снимается."
)


def seed(apps, schema_editor):
    group_model = apps.get_model("faq", "FaqGroup")
    item_model = apps.get_model("faq", "FaqItem")
    group = group_model.objects.filter(title=GROUP).first()
    if group is None:  # an operator renamed or removed it: start the group again
        group = group_model.objects.create(title=GROUP, position=2)
    position = (item_model.objects.filter(group=group).aggregate(m=Max("position"))["m"] or 0) + 1
    item_model.objects.get_or_create(
        question=QUESTION,
        defaults={
            "group": group,
            "answer": ANSWER,
            "position": position,
            "search_stems": stems_column(QUESTION, ANSWER),
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("faq", "FaqItem").objects.filter(question=QUESTION).delete()


class Migration(migrations.Migration):
    dependencies = [("faq", "0005_russian_labels")]
    operations = [migrations.RunPython(seed, unseed)]
