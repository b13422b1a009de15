"""Settings from the environment: Celery delivery, SQLite locking, secrets, production checks."""

from __future__ import annotations

import json
import secrets
import stat

from django.core.cache.backends.filebased import FileBasedCache

from config.celery import app as celery_app
from config.secret import dev_secret_key
from tests.config.helpers import run_manage, run_python

PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
names = {names!r}
print(json.dumps({{name: getattr(settings, name) for name in names}}, default=str))
"""


def _settings(env: dict[str, str], *names: str) -> dict:
    result = run_python(PRINT_SETTINGS.format(names=list(names)), env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


CACHE_WRITE = """
import json, os, django
from django.conf import settings
django.setup()
from django.core.cache import cache
cache.set("shared-probe", {"written_by": os.getpid()})
print(json.dumps({"pid": os.getpid(), "default": settings.CACHES["default"]}))
"""
CACHE_READ = """
import json, django
django.setup()
from django.core.cache import cache
print(json.dumps(cache.get("shared-probe")))
"""


def _production_env(clean_env: dict[str, str]) -> dict[str, str]:
    return {
        **clean_env,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "stock.example.com",
        "DATABASE_URL": "postgres://stockmaster:secret@127.0.0.1:5432/stockmaster",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    }


def test_celery_app_is_configured_for_at_least_once_delivery():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.worker_cancel_long_running_tasks_on_connection_loss is True
    assert conf.task_serializer == "json"
    assert conf.result_serializer == "json"
    assert list(conf.accept_content) == ["json"]
    assert conf.task_ignore_result is True
    assert conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"


def test_sqlite_database_gets_immediate_transactions_and_wal(clean_env, tmp_path):
    code = """
import json, django
from django.conf import settings
from django.db import connection
django.setup()
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    journal = cursor.fetchone()[0]
    cursor.execute("PRAGMA busy_timeout")
    busy = cursor.fetchone()[0]
print(json.dumps({"options": settings.DATABASES["default"]["OPTIONS"], "journal": journal, "busy": busy}))
"""
    env = {**clean_env, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    result = run_python(code, env)

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["options"]["transaction_mode"] == "IMMEDIATE"
    assert values["journal"] == "wal"
    assert values["busy"] == 20000


def test_embedded_default_is_sqlite_in_var_dir_and_filesystem_broker(clean_env, tmp_path):
    values = _settings(
        {**clean_env, "DEBUG": "1"}, "DATABASES", "CELERY_BROKER_URL", "CELERY_BROKER_TRANSPORT_OPTIONS"
    )

    var = tmp_path / "var"
    assert values["DATABASES"]["default"]["NAME"] == str(var / "db.sqlite3")
    assert values["DATABASES"]["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert values["CELERY_BROKER_URL"] == "filesystem://localhost/"
    assert values["CELERY_BROKER_TRANSPORT_OPTIONS"]["data_folder_in"] == str(var / "broker" / "queue")
    assert (var / "broker" / "queue").is_dir()
    assert (var / "broker" / "processed").is_dir()


def test_postgres_database_gets_lock_timeout_and_persistent_connections(clean_env):
    env = {
        **clean_env,
        "DEBUG": "1",
        "DATABASE_URL": "postgres://u:p@db.internal:5432/stock",
        "DB_LOCK_TIMEOUT_MS": "2500",
        "CONN_MAX_AGE": "30",
        "CELERY_BROKER_URL": "redis://cache.internal:6379/1",
        "CELERY_VISIBILITY_TIMEOUT": "120",
    }
    values = _settings(env, "DATABASES", "CELERY_BROKER_TRANSPORT_OPTIONS")

    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["HOST"] == "db.internal"
    assert database["OPTIONS"] == {"options": "-c lock_timeout=2500"}
    assert database["CONN_MAX_AGE"] == 30
    assert database["CONN_HEALTH_CHECKS"] is True
    assert values["CELERY_BROKER_TRANSPORT_OPTIONS"] == {"visibility_timeout": 120}


def test_production_settings_pass_check_deploy_without_warnings(clean_env):
    result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], _production_env(clean_env))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_on_a_weakened_production_setting(clean_env):
    env = {**_production_env(clean_env), "SECURE_SSL_REDIRECT": "0"}
    result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], env)

    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout


def test_production_refuses_to_start_without_secret_key(clean_env, tmp_path):
    env = {**_production_env(clean_env)}
    del env["SECRET_KEY"]
    result = run_python("import django; django.setup()", env)

    assert result.returncode == 1
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off" in result.stderr
    assert not (tmp_path / "var" / "secret_key").exists()


def test_makemigrations_check_runs_without_secret_key_and_finds_no_missing_migration(clean_env, tmp_path):
    env = {**_production_env(clean_env), "VAR_DIR": str(tmp_path / "var")}
    del env["SECRET_KEY"]
    result = run_manage(["makemigrations", "--check", "--dry-run"], env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout
    assert not (tmp_path / "var" / "secret_key").exists()


def test_development_generates_one_stable_private_secret_key(clean_env, tmp_path):
    env = {**clean_env, "DEBUG": "1"}
    first = _settings(env, "SECRET_KEY")["SECRET_KEY"]
    second = _settings(env, "SECRET_KEY")["SECRET_KEY"]

    key_file = tmp_path / "var" / "secret_key"
    assert first == second == key_file.read_text()
    assert len(first) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_debug_relaxes_https_only_settings_and_production_enforces_them(clean_env):
    names = (
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
    )
    development = _settings({**clean_env, "DEBUG": "1"}, *names)
    production = _settings(_production_env(clean_env), *names)

    assert development == {
        "DEBUG": True,
        "SECURE_SSL_REDIRECT": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_HSTS_SECONDS": 0,
    }
    assert production == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
    }


def test_env_file_values_apply_but_the_environment_wins(clean_env, tmp_path):
    env_file = tmp_path / "stock.env"
    env_file.write_text("TIME_ZONE=Europe/Paris\nLOG_LEVEL=DEBUG\n")
    env = {**clean_env, "DEBUG": "1", "ENV_FILE": str(env_file), "LOG_LEVEL": "WARNING"}

    values = _settings(env, "TIME_ZONE", "LOG_LEVEL", "CELERY_TIMEZONE")

    assert values == {"TIME_ZONE": "Europe/Paris", "LOG_LEVEL": "WARNING", "CELERY_TIMEZONE": "Europe/Paris"}


def test_dev_secret_key_keeps_an_existing_key(tmp_path):
    (tmp_path / "secret_key").write_text("existing-key\n")

    assert dev_secret_key(tmp_path) == "existing-key"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]


XERO_ONLY = "accounting_app.exporters.xero.exporter"


def test_app_settings_have_their_default_in_settings_and_the_environment_overrides_it(clean_env):
    code = """
import json, django
from django.conf import settings
django.setup()
names = ["SHIPPING_HTTP_RETRIES", "ACCOUNTING_EXPORTER_MODULES", "CHANNELS_RATE_LIMIT_MARGIN"]
print(json.dumps({name: getattr(settings, name, "unset") for name in names}))
"""
    env = {**clean_env, "DEBUG": "1"}
    given = {**env, "SHIPPING_HTTP_RETRIES": "5", "ACCOUNTING_EXPORTER_MODULES": XERO_ONLY}

    unset = run_python(code, env)
    overridden = run_python(code, given)

    assert unset.returncode == 0, unset.stderr
    assert json.loads(unset.stdout.strip().splitlines()[-1]) == {
        "SHIPPING_HTTP_RETRIES": 3,
        "ACCOUNTING_EXPORTER_MODULES": [XERO_ONLY, "accounting_app.exporters.quickbooks.exporter"],
        "CHANNELS_RATE_LIMIT_MARGIN": 0.1,
    }
    assert overridden.returncode == 0, overridden.stderr
    assert json.loads(overridden.stdout.strip().splitlines()[-1]) == {
        "SHIPPING_HTTP_RETRIES": 5,
        "ACCOUNTING_EXPORTER_MODULES": [XERO_ONLY],
        "CHANNELS_RATE_LIMIT_MARGIN": 0.1,
    }


def test_code_reads_settings_without_repeating_their_defaults():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for app in ("config", "inventory_app", "channels_app", "shipping_app", "accounting_app")
        for path in (root / app).rglob("*.py")
        if "getattr(settings" in path.read_text()
    ]

    assert offenders == []


def test_api_throttle_rates_and_login_lockout_come_from_the_environment(clean_env):
    env = {
        **clean_env,
        "DEBUG": "1",
        "API_THROTTLE_TOKEN": "5/second",
        "API_THROTTLE_ADDRESS": "",
        "AXES_FAILURE_LIMIT": "3",
        "AXES_COOLOFF_MINUTES": "2",
    }

    values = _settings(env, "REST_FRAMEWORK", "AXES_FAILURE_LIMIT", "AXES_COOLOFF_TIME", "CACHES")

    rates = values["REST_FRAMEWORK"]["DEFAULT_THROTTLE_RATES"]
    assert rates == {"token": "5/second", "address": None, "auth_failure": "20/minute"}
    assert values["AXES_FAILURE_LIMIT"] == 3
    assert values["AXES_COOLOFF_TIME"] == "0:02:00"
    assert values["CACHES"]["throttle"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"


def test_embedded_cache_is_files_in_var_dir_shared_by_every_process(clean_env, tmp_path):
    env = {**clean_env, "DEBUG": "1"}

    written = run_python(CACHE_WRITE, env)
    read = run_python(CACHE_READ, env)

    assert written.returncode == read.returncode == 0, written.stderr + read.stderr
    wrote = json.loads(written.stdout.strip().splitlines()[-1])
    folder = tmp_path / "var" / "cache"
    assert wrote["default"] == {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(folder),
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 10000},
    }
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert json.loads(read.stdout.strip().splitlines()[-1]) == {"written_by": wrote["pid"]}
    here = FileBasedCache(str(folder), {})  # this process, a third one, reads the same entry
    assert here.get("shared-probe") == {"written_by": wrote["pid"]}


def test_with_redis_the_cache_is_redis_and_no_cache_folder_is_made(clean_env, tmp_path):
    env = {**clean_env, "DEBUG": "1", "REDIS_URL": "redis://127.0.0.1:6379/3"}

    values = _settings(env, "CACHES")

    assert values["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert values["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/3"
    assert not (tmp_path / "var" / "cache").exists()
