"""Content-Security-Policy (#15): the header on every page, and no inline code in any template.

The browser walk in tests/e2e/test_csp_and_phone.py checks that the pages really run under it.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/thu-tuc/", "/accounts/login/", "/ho-so/tra-cuu/", "/admin/login/"])
def test_every_page_carries_the_policy(client, url):
    response = client.get(url)
    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no nonce
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]


@pytest.mark.django_db
def test_a_logged_in_page_and_a_download_carry_it_too(admin_client):
    assert "default-src 'self'" in admin_client.get(reverse("accounts:profile"))["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in admin_client.get("/admin/")["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_api_docs_run_their_start_up_script_under_a_nonce_only_there(client):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    body = response.content.decode()
    policy = directives(response)
    nonce = re.search(r"'nonce-([^']+)'", " ".join(policy["script-src"])).group(1)
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-inline'" not in policy["style-src"]
    assert f'<script nonce="{nonce}">' in body and "SwaggerUIBundle(" in body
    assert "<style" not in body  # its CSS is a static file
    # Every script of the page is either a local file or the one carrying this response's nonce.
    for tag in re.findall(r"<script[^>]*>", body):
        assert 'src="/static/' in tag or f'nonce="{nonce}"' in tag, tag
    # The nonce is fresh for each response and never leaks to other pages' policies.
    assert nonce not in client.get(reverse("api-docs"))["Content-Security-Policy"]
    assert "nonce" not in client.get("/")["Content-Security-Policy"]


def test_form_action_admits_the_payment_gateway_from_the_production_settings(tmp_path):
    """A form posted to the portal that redirects to VNPay is checked against form-action."""
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "VAR_DIR": str(tmp_path / "var"),
           "ENV_FILE": str(tmp_path / "no.env"), "SECRET_KEY": "k3y-" + "a9Z!" * 15,
           "DJANGO_SETTINGS_MODULE": "portal.settings.production",
           "VNPAY_PAY_URL": "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"}
    code = ("import django, json; django.setup(); from django.conf import settings; "
            "from csp.utils import build_policy; print(build_policy())")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                         timeout=60, check=True).stdout
    policy = {part.split()[0]: part.split()[1:] for part in out.strip().split(";") if part.strip()}
    assert policy["form-action"] == ["'self'", "https://sandbox.vnpayment.vn"]
    assert "upgrade-insecure-requests" in policy and policy["script-src"] == ["'self'"]


# --- No inline code in any template --------------------------------------------------------------

def _template_dirs() -> list[Path]:
    from django.template import engines

    dirs = []
    for engine in engines.all():
        for folder in engine.template_dirs:
            folder = Path(folder)
            inside = ROOT in folder.parents or folder == ROOT / "templates"
            installed = ".venv" in folder.parts or "site-packages" in folder.parts  # a library's, not ours
            if folder.is_dir() and inside and not installed:
                dirs.append(folder)
    return dirs


COMMENT = re.compile(r"{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.DOTALL)


def _templates() -> dict[str, str]:
    """Every project template, without its template comments."""
    found = {}
    for folder in _template_dirs():
        for path in folder.rglob("*.html"):
            found[path.relative_to(folder).as_posix()] = COMMENT.sub("", path.read_text(encoding="utf-8"))
    return found


def _pdf_and_mail_templates(templates: dict[str, str]) -> set[str]:
    """Templates WeasyPrint turns into PDF, or sent as e-mail: never shown under the page's CSP."""
    names = set()
    for path in ROOT.rglob("*.py"):
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        names.update(re.findall(r"render_pdf\(\s*\"([^\"]+\.html)\"", path.read_text(encoding="utf-8")))
    names |= {name for name in templates if name.startswith("notifications/email/") or "/print/" in name}
    # …and what they extend or include.
    grew = True
    while grew:
        parents = {m for name in names if name in templates
                   for m in re.findall(r"{%\s*(?:extends|include)\s+\"([^\"]+)\"", templates[name])}
        grew = not parents <= names
        names |= parents
    return names


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", re.IGNORECASE)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
JS_URL = re.compile(r"(?:href|src|action)\s*=\s*[\"']\s*javascript:", re.IGNORECASE)
STYLE_ATTR = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style[\s>]", re.IGNORECASE)
EXTERNAL_ASSET = re.compile(r"<(?:script|link|img|iframe)[^>]*\s(?:src|href)\s*=\s*[\"'](?:https?:)?//", re.IGNORECASE)


def test_the_scan_finds_inline_code_where_there_is_some():
    sample = ('<script>alert(1)</script><button onclick="go()">x</button><a href="javascript:back()">b</a>'
              '<p style="color:red">c</p><style>p{}</style><script src="/static/js/portal.js"></script>')
    assert INLINE_SCRIPT.findall(sample) and HANDLER.findall(sample) and JS_URL.findall(sample)
    assert STYLE_ATTR.findall(sample) and STYLE_BLOCK.findall(sample)
    assert EXTERNAL_ASSET.search('<link rel="stylesheet" href="https://cdn.example.com/x.css">')
    assert not EXTERNAL_ASSET.search('<link rel="stylesheet" href="/static/css/portal.css">')
    assert not INLINE_SCRIPT.search('<script src="/static/js/portal.js" defer></script>')
    assert not HANDLER.search('<form data-confirm="Xóa?" method="post">')


def test_no_template_has_inline_script_handlers_javascript_urls_or_remote_assets():
    templates = _templates()
    assert "base.html" in templates and "dossiers/desk.html" in templates
    offenders = [f"{name}: {pattern.pattern}" for name, text in templates.items()
                 for pattern in (INLINE_SCRIPT, HANDLER, JS_URL, EXTERNAL_ASSET) if pattern.search(text)]
    # The only inline script is the Swagger start-up code, which carries the response's nonce.
    offenders = [o for o in offenders if not o.startswith("api/swagger_ui.html: <script(?!")]
    assert offenders == []
    assert 'nonce="{{ request.csp_nonce }}"' in templates["api/swagger_ui.html"]


def test_no_page_template_has_an_inline_style():
    templates = _templates()
    printed = _pdf_and_mail_templates(templates)
    assert {"dossiers/print/receipt.html", "dossiers/print/base.html", "payments/print/receipt.html",
            "signing/print/stamp.html"} <= printed
    assert "base.html" not in printed
    offenders = [f"{name}: {pattern.pattern}" for name, text in templates.items() if name not in printed
                 for pattern in (STYLE_ATTR, STYLE_BLOCK) if pattern.search(text)]
    assert offenders == []
