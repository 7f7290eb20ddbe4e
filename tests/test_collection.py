"""Every test folder of the project is collected: a folder missing from `testpaths` is a test that never runs
(payments and docstore were left off once, and their tests silently never ran in CI)."""

import sys
import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
IGNORED = {".venv", "node_modules", "staticfiles", "var", ".git"}


def _config() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)


def _folders_with_tests() -> set[str]:
    found = set()
    for path in ROOT.rglob("test_*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in IGNORED or rel.parts[0].startswith("."):
            continue
        found.add(rel.parts[0])
    return found


def test_every_folder_with_tests_is_on_testpaths():
    testpaths = set(_config()["tool"]["pytest"]["ini_options"]["testpaths"])
    missing = _folders_with_tests() - testpaths
    assert not missing, f"test folders not on pyproject.toml testpaths (never run): {sorted(missing)}"


def test_every_project_app_is_on_testpaths_and_first_party():
    config = _config()
    testpaths = set(config["tool"]["pytest"]["ini_options"]["testpaths"])
    first_party = set(config["tool"]["ruff"]["lint"]["isort"]["known-first-party"])
    ours = {app.split(".")[0] for app in settings.INSTALLED_APPS if (ROOT / app.split(".")[0]).is_dir()}
    assert ours, "no project app found in INSTALLED_APPS"
    assert not ours - testpaths, f"apps not on testpaths: {sorted(ours - testpaths)}"
    assert not ours - first_party, f"apps not in ruff's known-first-party: {sorted(ours - first_party)}"


def test_this_run_collected_every_app(request):
    """When the whole suite runs (no path given on the command line), items from every app were collected."""
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    session = request.session
    collected = {Path(str(item.path)).relative_to(ROOT).parts[0] for item in session.items}
    if any(Path(a.split("::")[0]).exists() for a in args) or request.config.getoption("keyword"):
        return  # a part of the suite was asked for: nothing to compare
    missing = _folders_with_tests() - collected
    assert not missing, f"test folders with no collected test in this run: {sorted(missing)}"
