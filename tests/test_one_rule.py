"""A permission rule is written once (ARCHITECTURE.md §3.6, issue #16): in `accounts/access.py` (the scope
and the base predicates) or in an app's `policies.py`. Everywhere else, code asks those modules.

This test reads every Python module of the project (not tests, not migrations) and fails on what re-derives
a rule instead of asking:
- `is_superuser` (attribute, keyword or string): ask `access.is_unrestricted` or a policy;
- a call of `has_role(...)` or `acting_agency_ids(...)`: ask a policy;
- a comparison or set operation with a `Role.<NAME>` member (`role == Role.ADMIN`, `roles & {Role.X}`),
  and a query or scope argument naming one (`role=Role.X`, `staff_roles__role=Role.X`, `roles=[Role.X]`).
Declaring data with a role (the workflow's transition table, menu tables, demo accounts) is not a check.

A file may be left out only with a reason, for code that is not about permissions (`ALLOWED`).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SKIPPED_DIRS = {".git", ".venv", "node_modules", "staticfiles", "var", "locale", "migrations", "tests", "static",
                "templates", "__pycache__"}

RULE_HOMES = ("accounts/access.py",)  # and every */policies.py

NOT_YET: dict[str, str] = {}  # path -> why it is not checked yet (empty: every file is checked)

# Genuinely not permission checks: path -> (the kinds of finding allowed there, why).
ALLOWED = {
    "accounts/models.py": ({"is_superuser"}, "the user manager sets the flag when it creates a (super)user"),
    "accounts/admin.py": ({"is_superuser"}, "the Django admin's field lists and filters show the flag"),
    "accounts/demo.py": ({"is_superuser"}, "the demo data creates its accounts, one of them a superuser"),
    "payments/demo.py": ({"role lookup"}, "the demo data picks a desk officer to record its sample payments"),
    "dossiers/management/commands/generate_dossiers.py": (
        {"role comparison"}, "the benchmark data generator picks the officers who act in the generated histories"),
    "signing/management/commands/signing_demo.py": (
        {"role lookup"}, "the demo set-up gives each demo approving leader a personal certificate"),
}

CALLS = {"has_role", "acting_agency_ids"}
LOOKUP_SUFFIXES = ("role", "__role", "role__in", "roles")


def _is_role_member(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Role"
            and node.attr.isupper())


def _names_a_role(node: ast.AST) -> bool:
    return any(_is_role_member(n) for n in ast.walk(node))


def findings(source: str) -> list[tuple[int, str]]:
    """(line, kind) for every rule re-derived in `source`."""
    out = []
    for node in ast.walk(ast.parse(source)):
        kind = None
        if isinstance(node, ast.Attribute) and node.attr == "is_superuser":
            kind = "is_superuser"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "is_superuser" in node.value:
            kind = "is_superuser"
        elif isinstance(node, ast.keyword) and node.arg and "is_superuser" in node.arg:
            kind = "is_superuser"
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if name in CALLS:
                kind = f"{name}()"
        elif isinstance(node, ast.Compare) and _names_a_role(node):
            kind = "role comparison"
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd | ast.BitOr | ast.Sub) \
                and _names_a_role(node):
            kind = "role comparison"
        elif isinstance(node, ast.keyword) and node.arg and node.arg.endswith(LOOKUP_SUFFIXES) \
                and _names_a_role(node.value):
            kind = "role lookup"
        if kind:
            out.append((getattr(node, "lineno", 0), kind))
    return sorted(set(out))


def project_modules() -> list[str]:
    paths = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if SKIPPED_DIRS & set(rel.parts[:-1]) or rel.name == "conftest.py":
            continue
        paths.append(rel.as_posix())
    return sorted(paths)


def is_rule_home(path: str) -> bool:
    return path in RULE_HOMES or path.endswith("/policies.py")


def test_no_permission_rule_outside_access_and_the_policies():
    problems = []
    for path in project_modules():
        if is_rule_home(path) or path in NOT_YET:
            continue
        allowed = ALLOWED.get(path, (set(), ""))[0]
        for line, kind in findings((ROOT / path).read_text(encoding="utf-8")):
            if kind not in allowed:
                problems.append(f"{path}:{line}: {kind}")
    assert not problems, "Ask accounts.access or the app's policies.py instead:\n" + "\n".join(problems)


def test_every_allowance_is_still_needed():
    for path, (kinds, why) in ALLOWED.items():
        assert why, path
        found = {kind for _line, kind in findings((ROOT / path).read_text(encoding="utf-8"))}
        assert kinds <= found, f"{path} no longer needs {kinds - found}: remove it from ALLOWED"


def test_the_scan_sees_the_apps_and_spares_the_rule_homes():
    modules = project_modules()
    assert "dossiers/services.py" in modules and "dossiers/policies.py" in modules
    assert not any("/migrations/" in m or m.startswith("tests/") or "/tests/" in m for m in modules)
    assert is_rule_home("accounts/access.py") and is_rule_home("payments/policies.py")
    assert not is_rule_home("payments/services.py")


def test_the_scan_catches_each_kind_of_check():
    code = '''
def f(user, dossier, role, roles):
    if user.is_superuser:
        pass
    access.has_role(user, Role.RECEPTION, dossier.receiving_agency_id)
    bool(access.acting_agency_ids(user, [Role.APPROVER]) & {1})
    role == Role.HOME_AFFAIRS
    roles & {Role.ADMIN, Role.APPROVER}
    User.objects.filter(staff_roles__role=Role.RECEPTION)
    scope_queryset(user, qs, roles=[Role.ADMIN])
    User.objects.filter(is_superuser=True)
'''
    kinds = [kind for _line, kind in findings(code)]
    assert kinds.count("is_superuser") == 2
    assert {"has_role()", "acting_agency_ids()", "role comparison", "role lookup"} <= set(kinds)
    assert kinds.count("role lookup") == 2
    declared = '''
TRANSITIONS = (Transition("receive", (S.SUBMITTED,), S.RECEIVED, (Role.RECEPTION,), "Tiếp nhận"),)
NAV = [(Role.ADMIN, "Quản trị")]
if role in QUEUE_ROLES:
    pass
'''
    assert findings(declared) == []
