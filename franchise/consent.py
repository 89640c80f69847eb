"""The activation procedure the user agrees to (the guide's seven points) and its version.

The page renders these very strings, and each activation stores CONSENT_VERSION and the SHA-256
of CONSENT_TEXT, so it is provable later what a person saw and agreed to. Changing a word here
means a new CONSENT_VERSION.
"""

import hashlib

CONSENT_VERSION = "2026-01"

PROCEDURE_POINTS: tuple[str, ...] = (
    "Активируйте франшизу до обращения в медицинские учреждения: без активации обслуживание "
    "по программе с франшизой недоступно.",
    "Обслуживание доступно со следующего рабочего дня после активации (по производственному "
    "календарю, московское время).",
    "В медицинском учреждении ничего оплачивать не нужно: клиника выставит счёт страховой "
    "компании.",
    "Счёт на оплату франшизы появится в личном кабинете через 1,5–2 месяца после обращения, "
    "о нём придёт SMS.",
    "Ежемесячно проверяйте личный кабинет и сообщайте об изменении контактных данных "
    "в течение 5 дней.",
    "Оплачивайте счета в срок, установленный договором ДМС.",
    "При неоплате счетов обслуживание переводится на программу «Экстренная помощь через "
    "медицинский пульт», а задолженность взыскивается в установленном законом порядке.",
)

CONSENT_LABEL = (
    "Я подтверждаю и даю согласие с порядком активации франшизы и оплаты счетов, изложенным выше"
)

CONSENT_TEXT = "\n".join(
    [f"{number}. {point}" for number, point in enumerate(PROCEDURE_POINTS, start=1)]
    + [CONSENT_LABEL]
)

CONSENT_TEXT_HASH = hashlib.sha256(CONSENT_TEXT.encode("utf-8")).hexdigest()
