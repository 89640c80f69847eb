"""Who may book a doctor (SPEC §3.9): not on the emergency-only programme, and only once the
deductible is in effect. The refusal says why and what to do."""

import datetime as dt
from dataclasses import dataclass

from franchise.selectors import ActivationState, activation_state
from policies.models import InsuredPerson, Program


@dataclass(frozen=True)
class Refusal:
    reason: str
    what_to_do: str

    def __str__(self) -> str:
        return f"{self.reason} {self.what_to_do}"


def booking_refusal(*, person: InsuredPerson, today: dt.date) -> Refusal | None:
    """Why `person` cannot book a doctor on `today` (a Moscow date), or None when he can."""
    desk = person.contract.medical_desk_phone
    if person.program.kind == Program.Kind.EMERGENCY:
        return Refusal(
            f"{person.full_name}: запись к врачу недоступна — действует программа «экстренная "
            "помощь через медицинский пульт».",
            f"При необходимости медицинской помощи звоните на медицинский пульт {desk}. Полная "
            "программа восстанавливается после оплаты счетов («Мои счета»).",
        )
    if person.status != InsuredPerson.Status.ACTIVE or not (
        person.policy_start <= today <= person.policy_end
    ):
        return Refusal(
            f"{person.full_name}: полис не действует.",
            f"Обратитесь к страхователю или на медицинский пульт {desk}.",
        )
    state = activation_state(person, today)
    if state.kind == ActivationState.NONE:
        return Refusal(
            f"{person.full_name}: франшиза не активирована, запись к врачу пока недоступна.",
            "Активируйте франшизу в разделе «Мои полисы»: она начнёт действовать со следующего "
            "рабочего дня, и с этой даты можно записаться к врачу.",
        )
    if state.kind == ActivationState.PENDING:
        return Refusal(
            f"{person.full_name}: франшиза начнёт действовать с "
            f"{state.effective_date:%d.%m.%Y}, запись к врачу доступна с этой даты.",
            f"До этого при необходимости медицинской помощи звоните на медицинский пульт {desk}.",
        )
    return None
