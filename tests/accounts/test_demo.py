import pytest
from django.core.management import call_command

from accounts.demo import seed_accounts
from accounts.models import ConsentRecord, User
from policies.demo import seed_policies
from policies.models import InsuredPerson

pytestmark = pytest.mark.django_db


def test_seed_registers_ivanov_with_the_demo_login_and_consent(demo):
    seed_accounts()
    user = User.objects.get(phone="+79990000001")
    assert user.check_password("Demo-2026!") and user.email == "ivanov@example.com"
    assert user.is_active and user.first_name == "Иван" and user.last_name == "Иванов"
    assert InsuredPerson.objects.get(policy_number="DMS-0001").user == user
    assert ConsentRecord.objects.filter(user=user, withdrawn_at__isnull=True).count() == 1
    # Петров and the minors stay unregistered.
    assert not InsuredPerson.objects.filter(user__isnull=False).exclude(pk=demo["ivanov"].pk)


def test_seed_is_idempotent():
    seed_policies()
    seed_accounts()
    seed_policies()
    seed_accounts()
    assert User.objects.count() == 1 and ConsentRecord.objects.count() == 1


def test_seed_demo_command_includes_accounts(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    assert User.objects.get(phone="+79990000001").check_password("Demo-2026!")
