"""The system checks that hold a production start to the 等保 bar."""

from django.core.checks import run_checks
from django.test import override_settings

PRODUCTION = {
    "SECRET_KEY_FROM_ENVIRONMENT": True,
    "HTTPS": True,
    "ALLOWED_HOSTS": ["oa.example.gov.cn"],
}


def failing_ids(**overrides):
    with override_settings(**{**PRODUCTION, **overrides}):
        return {message.id for message in run_checks(include_deployment_checks=True) if message.id.startswith("zhengtong.E")}


def test_production_like_settings_pass():
    assert failing_ids() == set()


def test_each_policy_value_below_the_bar_is_refused():
    assert "zhengtong.E010" in failing_ids(SECRET_KEY_FROM_ENVIRONMENT=False)
    assert "zhengtong.E011" in failing_ids(HTTPS=False)
    assert "zhengtong.E012" in failing_ids(LOCKOUT_THRESHOLD=6)
    assert "zhengtong.E013" in failing_ids(LOCKOUT_MINUTES=5)
    assert "zhengtong.E014" in failing_ids(SESSION_IDLE_MINUTES=60)
    assert "zhengtong.E015" in failing_ids(SESSION_MAX_HOURS=48)
    assert "zhengtong.E016" in failing_ids(PASSWORD_MIN_LENGTH=6)
    assert "zhengtong.E017" in failing_ids(PASSWORD_MIN_CHARACTER_CLASSES=2)
    assert "zhengtong.E018" in failing_ids(PASSWORD_MAX_AGE_DAYS=0)
    assert "zhengtong.E018" in failing_ids(PASSWORD_MAX_AGE_DAYS=365)
    assert "zhengtong.E019" in failing_ids(PASSWORD_HISTORY=2)
    assert "zhengtong.E020" in failing_ids(ALLOWED_HOSTS=["*"])


def test_audit_retention_below_six_months_is_refused_at_every_start():
    with override_settings(AUDIT_RETENTION_DAYS=90):
        ids = {message.id for message in run_checks()}
    assert "zhengtong.E001" in ids
