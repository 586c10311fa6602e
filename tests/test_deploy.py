"""Production settings pass Django's deployment checks and refuse to start half-configured."""

from __future__ import annotations

import subprocess
import sys

from django.conf import settings

PRODUCTION_ENV = {
    "NIRYAT_ENV": "production",
    "SECRET_KEY": "k" * 30 + "-production-test-secret-" + "z" * 30,
    "ALLOWED_HOSTS": "niryat.example.org",
    "CHANNEL_SECRET_KEYS": "lX4W8oG8vRyN0yTq7dV2sQ1cJ9kZ3hB6uE5aF0mP2nI=",
    "DATABASE_URL": "sqlite:////tmp/niryat-deploy-check.sqlite3",
    "PATH": "/usr/bin:/bin",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "Set the environment variable SECRET_KEY." in result.stderr


def test_bad_boolean_is_a_clear_configuration_error():
    result = manage("check", env={**PRODUCTION_ENV, "DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be true or false, not 'maybe'." in result.stderr


def test_production_refuses_to_start_without_a_key_for_marketplace_credentials():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "CHANNEL_SECRET_KEYS"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "Set CHANNEL_SECRET_KEYS" in result.stderr
