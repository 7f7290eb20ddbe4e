"""docker-compose.yml, Procfile, Makefile, README and .ci/run stay in step."""

import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _procfile() -> dict[str, list[str]]:
    out = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            out[name.strip()] = shlex.split(command)
    return out


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_service_commands_match_procfile():
    procfile = _procfile()
    services = _compose()["services"]
    assert set(procfile) <= set(services)
    for name, command in procfile.items():
        compose_command = services[name]["command"]
        if isinstance(compose_command, str):
            compose_command = shlex.split(compose_command)
        assert compose_command == command, name


def test_compose_has_database_redis_healthchecks_and_volumes():
    compose = _compose()
    services = compose["services"]
    assert {"web", "worker", "beat", "db", "redis"} <= set(services)
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    for name in ("web", "db", "redis"):
        assert "healthcheck" in services[name], name
    assert compose.get("volumes")
    for name in ("web", "worker", "beat"):
        env = services[name].get("environment", {})
        assert "DATABASE_URL" in env and env["DATABASE_URL"].startswith("postgres://"), name
        assert env.get("CELERY_BROKER_URL", "").startswith("redis://"), name


def test_the_cache_is_bounded_and_apart_from_the_broker():
    """Django's cache evicts when full (kept pages would otherwise grow without bound); the broker's Redis never
    evicts, so they are two servers: one Redis's maxmemory policy applies to all its databases."""
    compose = _compose()
    services = compose["services"]
    cache_url = compose["x-app"]["environment"]["CACHE_URL"]
    assert cache_url.startswith("redis://cache:")
    cache = services["cache"]["command"]
    assert cache[cache.index("--maxmemory") + 1] and cache[cache.index("--maxmemory-policy") + 1] == "allkeys-lru"
    broker = services["redis"]["command"]
    assert broker[broker.index("--maxmemory-policy") + 1] == "noeviction"
    for name in ("web", "worker", "beat"):
        env = services[name].get("environment", {})
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:") and env["CACHE_URL"] == cache_url, name
    assert "cache" in services["web"]["depends_on"] and "healthcheck" in services["cache"]


def test_readme_makefile_and_ci_agree():
    readme = (ROOT / "README.md").read_text()
    makefile = (ROOT / "Makefile").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make run" in readme and "make test" in readme
    assert "\nrun:" in makefile and "\ntest:" in makefile
    assert "make test" in ci
    assert "docker compose up -d db redis" in readme


def test_make_test_stops_with_a_how_to_when_services_are_down():
    import os
    import subprocess
    import sys

    env = {**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:1/portal", "REDIS_URL": "redis://127.0.0.1:1/0"}
    result = subprocess.run([sys.executable, "scripts/check_services.py"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 2
    assert "PostgreSQL" in result.stderr and "Redis" in result.stderr
    assert "docker compose up -d db redis" in result.stderr and "Traceback" not in result.stderr
    ok = subprocess.run([sys.executable, "scripts/check_services.py"], cwd=ROOT, capture_output=True, text=True,
                        timeout=30, env={**os.environ, "DATABASE_URL": os.environ["DATABASE_URL"]})
    assert ok.returncode == 0, ok.stderr
