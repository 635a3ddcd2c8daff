"""Project-level guarantees: migrations are complete, production settings are safe."""

import os
import subprocess
import sys

import pytest
from django.core.management import call_command

LONG_KEY = "tongban-test-Key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG"


def run_tongban(*args: str, env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "DATABASE_URL",
            "TONGBAN_PUBLIC_URL",
        }
    }
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "tongban.manage", *args], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.django_db
def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_production_refuses_to_start_without_secret_key():
    result = run_tongban("check", env_extra={"DJANGO_SETTINGS_MODULE": "tongban.settings.production"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = run_tongban(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={
            "DJANGO_SETTINGS_MODULE": "tongban.settings.production",
            "SECRET_KEY": LONG_KEY,
            "ALLOWED_HOSTS": "zwfw.example.gov.cn",
            "TONGBAN_PUBLIC_URL": "https://zwfw.example.gov.cn",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_its_public_address():
    """Task workers and periodic jobs send links without a request to learn the address from."""
    env = {"DJANGO_SETTINGS_MODULE": "tongban.settings.production", "SECRET_KEY": LONG_KEY}
    result = run_tongban("check", env_extra={**env, "TONGBAN_PUBLIC_URL": ""})
    assert result.returncode != 0
    assert "TONGBAN_PUBLIC_URL 未设置或无效" in result.stderr
    result = run_tongban("check", env_extra={**env, "TONGBAN_PUBLIC_URL": "https://zwfw.example.gov.cn"})
    assert result.returncode == 0, result.stderr
