"""The set-up path of a new user: `guanxi setup` on an empty data directory, then again; production checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

GUANXI = [sys.executable, "-m", "guanxi.cli"]


def run(args, data_dir, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "GUANXI_ADMIN_PASSWORD", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    environment.update({"GUANXI_DATA_DIR": str(data_dir), "GUANXI_TESTING": "0", **env})
    return subprocess.run(
        [*GUANXI, *args], capture_output=True, text=True, env=environment, timeout=300, check=False
    )


@pytest.mark.slow
def test_first_setup_creates_admin_and_demo_then_reuses_everything(tmp_path: Path):
    first = run(["setup"], tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Created the user admin with the password" in first.stdout
    assert "400 contacts" in first.stdout
    assert (tmp_path / "secret_key").exists() and (tmp_path / "guanxi.sqlite3").exists()
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"
    second = run(["setup"], tmp_path)
    assert second.returncode == 0 and second.stdout.strip() == "Database ready."
    again = run(["demo"], tmp_path)
    assert "already loaded" in again.stdout


def test_admin_password_comes_from_the_environment(tmp_path: Path):
    result = run(["setup", "--no-demo"], tmp_path, GUANXI_ADMIN_PASSWORD="a-Long-secret-9")
    assert result.returncode == 0, result.stderr
    assert "a-Long-secret-9" not in result.stdout
    check = run(
        [
            "shell",
            "-c",
            "from guanxi.users.models import User; "
            "print(User.objects.get(username='admin').check_password('a-Long-secret-9'))",
        ],
        tmp_path,
    )
    assert check.stdout.strip().endswith("True")


def test_production_settings_pass_the_deploy_check(tmp_path: Path):
    result = run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        GUANXI_ENV="production",
        GUANXI_ALLOWED_HOSTS="crm.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_tco_runs_without_a_database(tmp_path: Path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: t\ncurrency: CNY\nyears: 1\ndiscount_rate: 0\ncosts:\n"
        "  - {category: subscription, name: x, yearly: 100}\n"
    )
    result = run(
        ["tco", str(scenario), "--format", "json"], tmp_path / "nowhere", DATABASE_URL="postgres://nohost/x"
    )
    assert result.returncode == 0, result.stderr
    assert '"tco": "100.00"' in result.stdout
    assert not (tmp_path / "nowhere").exists()
