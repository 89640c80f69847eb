"""The deploy-tagged system check that names every development convenience left switched on
(pentest #10, finding 1): the sandbox checkout, the outbox backends, DEBUG."""

from django.core import checks

from portal.checks import production_conveniences

OUTBOX = "notifications.backends.OutboxBackend"


def ids(messages):
    return sorted(m.id for m in messages if m.level >= checks.ERROR)


def production_like(settings):
    settings.DEBUG = False
    settings.PAYMENT_PROVIDER = "yookassa"
    settings.SMS_BACKEND = "notifications.backends.HttpSmsGatewayBackend"
    settings.EMAIL_CHANNEL_BACKEND = "notifications.backends.DjangoEmailBackend"
    settings.YOOKASSA_CHECK_NOTIFICATION_IP = True


def test_production_like_settings_pass(settings):
    production_like(settings)
    assert production_conveniences(None) == []


def test_sandbox_payments_are_an_error(settings):
    production_like(settings)
    settings.PAYMENT_PROVIDER = "sandbox"
    [error] = production_conveniences(None)
    assert error.id == "portal.E001" and "sandbox" in error.msg


def test_outbox_backends_are_errors(settings):
    production_like(settings)
    settings.SMS_BACKEND = OUTBOX
    settings.EMAIL_CHANNEL_BACKEND = OUTBOX
    assert ids(production_conveniences(None)) == ["portal.E002", "portal.E002"]


def test_debug_is_an_error(settings):
    production_like(settings)
    settings.DEBUG = True
    assert ids(production_conveniences(None)) == ["portal.E003"]


def test_notifications_from_anywhere_are_a_warning(settings):
    production_like(settings)
    settings.YOOKASSA_CHECK_NOTIFICATION_IP = False
    [warning] = production_conveniences(None)
    assert warning.id == "portal.W001" and warning.level == checks.WARNING


def test_the_check_runs_with_check_deploy_only(settings):
    settings.PAYMENT_PROVIDER = "sandbox"
    deploy = checks.run_checks(include_deployment_checks=True)
    assert "portal.E001" in [m.id for m in deploy]
    assert "portal.E001" not in [m.id for m in checks.run_checks()]
