import pytest
from django.core.exceptions import ImproperlyConfigured

from zhengtong.env import env_bool, env_choice, env_int, env_list, env_secret, env_str


def test_bad_values_fail_loudly_naming_the_variable(monkeypatch):
    monkeypatch.setenv("ZT_X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="ZT_X='maybe' is not a boolean"):
        env_bool("ZT_X", False)
    monkeypatch.setenv("ZT_X", "12a")
    with pytest.raises(ImproperlyConfigured, match="ZT_X='12a' is not a whole number"):
        env_int("ZT_X", 1)
    monkeypatch.setenv("ZT_X", "3")
    with pytest.raises(ImproperlyConfigured, match="below the minimum 5"):
        env_int("ZT_X", 5, minimum=5)
    monkeypatch.setenv("ZT_X", "nobody")
    with pytest.raises(ImproperlyConfigured, match="must be one of admins, all"):
        env_choice("ZT_X", "admins", ("admins", "all"))


def test_values_are_parsed_and_empty_means_unset(monkeypatch):
    monkeypatch.setenv("ZT_X", "Yes")
    assert env_bool("ZT_X", False) is True
    monkeypatch.setenv("ZT_X", " 42 ")
    assert env_int("ZT_X", 1) == 42
    monkeypatch.setenv("ZT_X", "a, b,,c")
    assert env_list("ZT_X", []) == ["a", "b", "c"]
    monkeypatch.setenv("ZT_X", "")
    assert env_str("ZT_X", "default") == "default"


def test_secrets_can_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "key"
    secret.write_text("s3cret\n")
    monkeypatch.delenv("ZT_X", raising=False)
    monkeypatch.setenv("ZT_X_FILE", str(secret))
    assert env_secret("ZT_X", lambda: "fallback") == "s3cret"
    monkeypatch.delenv("ZT_X_FILE")
    assert env_secret("ZT_X", lambda: "fallback") == "fallback"
