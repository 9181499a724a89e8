"""The documented production shape: check --deploy clean with deploy/'s environment, the nginx site and the
units agree with the settings, and gunicorn serves the app and its static files (whitenoise)."""

from __future__ import annotations

import math
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from registry.ops.tests.helpers import PRODUCTION, REPO_ROOT, clean_environment

DEPLOY = REPO_ROOT / "deploy"


def deploy_environment() -> dict[str, str]:
    """The example production environment, its placeholders filled with random values."""
    env = {}
    for line in (DEPLOY / "registry.env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value.replace("CHANGE-ME", secrets.token_urlsafe(24))
    return env


def test_check_deploy_is_clean_with_the_documented_settings(tmp_path):
    env = {**deploy_environment(), "REGISTRY_VAR_DIR": str(tmp_path), "STATIC_ROOT": str(tmp_path / "static"),
           "PRIVATE_STORAGE_ROOT": str(tmp_path / "private"), "BACKUP_DIR": str(tmp_path / "backups")}
    try:
        import django_tasks_db  # noqa: F401
    except ImportError:  # the outbox work adds the database queue; until then check the rest
        env["TASKS_BACKEND"] = "django.tasks.backends.immediate.ImmediateBackend"
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=REPO_ROOT, env={**clean_environment(), **env}, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def nginx_site() -> str:
    return (DEPLOY / "nginx" / "registry.conf").read_text(encoding="utf-8")


def test_nginx_takes_what_the_application_takes_and_no_more():
    from django.conf import settings

    megabytes = int(re.search(r"client_max_body_size (\d+)m;", nginx_site()).group(1))
    assert megabytes == math.ceil(settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024))
    assert int(deploy_environment()["UPLOAD_MAX_BYTES"]) == settings.UPLOAD_MAX_BYTES


def test_nginx_passes_the_scheme_and_a_request_id_and_serves_static_files_only():
    site = nginx_site()
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site
    assert "proxy_set_header X-Request-ID $request_id;" in site
    env = deploy_environment()
    aliases = re.findall(r"^\s*(?:alias|root)\s+(\S+);", site, flags=re.M)
    assert aliases == [env["STATIC_ROOT"].rstrip("/") + "/"]
    assert env["PRIVATE_STORAGE_ROOT"] not in site
    assert "ssl_certificate " in site and "listen 443 ssl;" in site


def test_the_units_run_web_worker_scheduler_and_the_separate_deploy_step():
    units = {path.name: path.read_text(encoding="utf-8") for path in (DEPLOY / "systemd").glob("*.service")}
    starts = {name: re.findall(r"^ExecStart=(.+)$", text, flags=re.M) for name, text in units.items()}
    assert starts["registry-web.service"] == ["/srv/registry/.venv/bin/gunicorn -c /srv/registry/deploy/gunicorn.conf.py"]
    assert starts["registry-worker.service"][0].endswith("manage.py db_worker")
    assert starts["registry-scheduler.service"][0].endswith("manage.py scheduler")
    assert [s.split("manage.py ")[1] for s in starts["registry-migrate.service"]] == [
        "migrate --noinput", "collectstatic --noinput"]
    for text in units.values():
        assert "EnvironmentFile=/etc/registry/registry.env" in text and "User=registry" in text


def test_gunicorn_takes_its_workers_from_the_environment():
    code = ("import runpy; c = runpy.run_path('deploy/gunicorn.conf.py');"
            "print(c['workers'], c['bind'], c['wsgi_app'], c['logconfig_dict']['formatters']['main'].get('()'))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
                            env={**clean_environment(), "WEB_CONCURRENCY": "3", "GUNICORN_BIND": "127.0.0.1:8123",
                                 "DEBUG": "false"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["3", "127.0.0.1:8123", "registry.wsgi:application",
                                     "pythonjsonlogger.json.JsonFormatter"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, dict, bytes]:
    """GET the way nginx forwards a request: over plain HTTP to gunicorn, saying the client used HTTPS."""
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_gunicorn_serves_the_app_and_collected_static_files(tmp_path):
    python = Path(sys.executable)
    port = free_port()
    env = {**clean_environment(), **PRODUCTION, "REGISTRY_VAR_DIR": str(tmp_path), "STATIC_ROOT": str(tmp_path / "static"),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "WEB_CONCURRENCY": "1",
           "GUNICORN_BIND": f"127.0.0.1:{port}", "BEHIND_TLS_PROXY": "true"}
    collected = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput"], cwd=REPO_ROOT, env=env,
                               capture_output=True, text=True, timeout=120)
    assert collected.returncode == 0, collected.stderr
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    hashed = re.search(r'"css/site.css": "([^"]+)"', manifest).group(1)
    server = subprocess.Popen([str(python.with_name("gunicorn")), "-c", "deploy/gunicorn.conf.py"], cwd=REPO_ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                status, headers, _ = get(base + "/healthz")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        assert status == 200 and len(headers["X-Request-ID"]) == 32
        status, headers, body = get(f"{base}/static/{hashed}")
        assert status == 200 and "immutable" in headers["Cache-Control"]
        assert body == (tmp_path / "static" / hashed).read_bytes()
        assert get(f"{base}/static/css/nothing.css")[0] == 404
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    # gunicorn's own lines are JSON in production, like the application's.
    first = next(line for line in errors.decode().splitlines() if line.strip())
    assert first.startswith("{") and '"logger": "gunicorn.error"' in first
