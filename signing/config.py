"""Where each agency's signing key comes from, and which certificate authorities the province trusts.

One JSON file (`SIGNING_CONFIG`, default `VAR_DIR/signing/signing.json`; `make run` writes a demo one):

    {
      "trust_roots": ["trust/gov-root.pem", "trust/demo-root.pem"],   # PEM or DER, relative to the file
      "tsa_url": "http://tsa.example.vn/",                             # RFC 3161; optional (or SIGNING_TSA_URL)
      "demo": false,                                                   # a demo CA: every stamp says so
      "agencies": {
        "<agency code>": {"pkcs12": "keys/h22.p12", "password_env": "SIGNING_H22_PASSWORD"},
        "<agency code>": {"pkcs11": {"module": "/usr/lib/softhsm/libsofthsm2.so", "token_label": "PORTAL",
                                      "key_label": "h22", "pin_env": "HSM_PIN",
                                      "raw_mechanism": false}}   # true: hash here, token signs raw (SoftHSM, ECDSA)
      }
    }

Passwords never sit in the file: `password_env` names an environment variable (`password_file`, a file
readable only by the portal, is accepted for the demo and for Docker secrets). Everything is read once per
process; `problems()` lists what cannot be loaded, and the start-up check turns that into an error.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError


class SigningUnavailable(DomainError):
    """Signing cannot be done with this configuration: the message says what to fix."""

    http_status = 503


@dataclass
class KeyEntry:
    agency_code: str
    pkcs12: Path | None = None
    password_env: str = ""
    password_file: Path | None = None
    pkcs11: dict = field(default_factory=dict)


@dataclass
class SigningSettings:
    path: Path
    exists: bool
    trust_roots: list[Path]
    tsa_url: str
    demo: bool
    agencies: dict[str, KeyEntry]
    error: str = ""


def _resolve(base: Path, value: str) -> Path:
    p = Path(value)
    return p if p.is_absolute() else (base / p)


@lru_cache(maxsize=1)
def load() -> SigningSettings:
    path = Path(settings.SIGNING_CONFIG)
    empty = SigningSettings(path=path, exists=False, trust_roots=[], tsa_url=settings.SIGNING_TSA_URL,
                            demo=False, agencies={})
    if not path.exists():
        return empty
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        empty.exists, empty.error = True, _("Không đọc được tệp cấu hình ký số %(path)s: %(err)s") % {
            "path": path, "err": exc}
        return empty
    if not isinstance(raw, dict):
        empty.exists, empty.error = True, _("Tệp cấu hình ký số %s phải là một đối tượng JSON.") % path
        return empty
    base = path.parent
    agencies = {}
    for code, entry in (raw.get("agencies") or {}).items():
        if not isinstance(entry, dict):
            continue
        agencies[str(code)] = KeyEntry(
            agency_code=str(code),
            pkcs12=_resolve(base, entry["pkcs12"]) if entry.get("pkcs12") else None,
            password_env=str(entry.get("password_env") or ""),
            password_file=_resolve(base, entry["password_file"]) if entry.get("password_file") else None,
            pkcs11=entry.get("pkcs11") if isinstance(entry.get("pkcs11"), dict) else {},
        )
    return SigningSettings(
        path=path, exists=True, trust_roots=[_resolve(base, p) for p in raw.get("trust_roots") or []],
        tsa_url=settings.SIGNING_TSA_URL or str(raw.get("tsa_url") or ""), demo=bool(raw.get("demo")),
        agencies=agencies)


def reset() -> None:
    """Forget what was read (tests, and the demo command after writing a new file)."""
    load.cache_clear()
    trust_roots.cache_clear()
    with _LOCK:
        for signer in _SIGNERS.values():
            session = getattr(signer, "pkcs11_session", None)
            if session is not None:
                session.close()  # logs out of the token, so the next load can log in again
        _SIGNERS.clear()


def _read_certs(path: Path) -> list[asn1_x509.Certificate]:
    data = path.read_bytes()
    if pem.detect(data):
        return [asn1_x509.Certificate.load(der) for _t, _h, der in pem.unarmor(data, multiple=True)]
    return [asn1_x509.Certificate.load(data)]


@lru_cache(maxsize=1)
def trust_roots() -> tuple[asn1_x509.Certificate, ...]:
    """The certificate authorities the province trusts (the government CA, recognised public CAs)."""
    out = []
    for path in load().trust_roots:
        try:
            out.extend(_read_certs(path))
        except (OSError, ValueError):
            continue  # reported by problems()
    return tuple(out)


_LOCK = threading.Lock()
_SIGNERS: dict[str, object] = {}


def _password(entry: KeyEntry) -> bytes | None:
    if entry.password_env:
        value = os.environ.get(entry.password_env)
        if value is None:
            raise SigningUnavailable("signing_password_missing", _(
                "Chưa có mật khẩu khóa ký số của cơ quan %(code)s: biến môi trường %(env)s chưa được đặt.")
                % {"code": entry.agency_code, "env": entry.password_env})
        return value.encode()
    if entry.password_file:
        try:
            return entry.password_file.read_bytes().strip()
        except OSError as exc:
            raise SigningUnavailable("signing_password_missing", _(
                "Không đọc được tệp mật khẩu khóa ký số của cơ quan %(code)s (%(path)s): %(err)s")
                % {"code": entry.agency_code, "path": entry.password_file, "err": exc.strerror}) from exc
    return None


def _load_signer(entry: KeyEntry):
    from . import hanko as h  # pyHanko is heavy to import: loaded by the first signature (see hanko.py)

    if entry.pkcs11:
        return _load_pkcs11(entry)
    if entry.pkcs12 is None:
        raise SigningUnavailable("signing_key_missing", _(
            "Cấu hình ký số của cơ quan %s không nêu tệp PKCS#12 hay thiết bị PKCS#11.") % entry.agency_code)
    if not entry.pkcs12.exists():
        raise SigningUnavailable("signing_key_missing", _(
            "Không tìm thấy tệp khóa ký số %(path)s của cơ quan %(code)s.")
            % {"path": entry.pkcs12, "code": entry.agency_code})
    password = _password(entry)
    try:
        signer = h.signers.SimpleSigner.load_pkcs12(str(entry.pkcs12), passphrase=password)
    except (ValueError, TypeError, OSError) as exc:
        raise SigningUnavailable("signing_key_unreadable", _(
            "Không mở được tệp khóa ký số của cơ quan %(code)s (sai mật khẩu hoặc tệp hỏng): %(err)s")
            % {"code": entry.agency_code, "err": exc}) from exc
    if signer is None or signer.signing_cert is None:
        raise SigningUnavailable("signing_key_unreadable", _(
            "Không mở được tệp khóa ký số của cơ quan %s (sai mật khẩu hoặc tệp hỏng).") % entry.agency_code)
    _check_validity(entry.agency_code, signer.signing_cert)
    return signer


def _load_pkcs11(entry: KeyEntry):
    conf = entry.pkcs11
    try:
        from pyhanko.sign import pkcs11  # needs python-pkcs11, installed only where an HSM is used
    except ImportError as exc:
        raise SigningUnavailable("signing_pkcs11_missing", _(
            "Cơ quan %s ký bằng thiết bị PKCS#11 nhưng gói python-pkcs11 chưa được cài.") % entry.agency_code) from exc
    pin = os.environ.get(conf.get("pin_env") or "", None) if conf.get("pin_env") else None
    if conf.get("pin_env") and pin is None:
        raise SigningUnavailable("signing_password_missing", _(
            "Chưa có mã PIN của thiết bị ký số của cơ quan %(code)s: biến môi trường %(env)s chưa được đặt.")
            % {"code": entry.agency_code, "env": conf["pin_env"]})
    try:
        from pyhanko.config.pkcs11 import TokenCriteria  # with pyhanko.sign.pkcs11 above: only where an HSM is used

        criteria = TokenCriteria(label=conf["token_label"]) if conf.get("token_label") else None
        session = pkcs11.open_pkcs11_session(conf["module"], token_criteria=criteria, user_pin=pin)
        signer = pkcs11.PKCS11Signer(session, key_label=conf.get("key_label"),
                                     cert_label=conf.get("cert_label") or conf.get("key_label"),
                                     use_raw_mechanism=bool(conf.get("raw_mechanism")))
        cert = signer.signing_cert
    except Exception as exc:  # python-pkcs11 raises its own error tree; every one means "cannot sign"
        raise SigningUnavailable("signing_key_unreadable", _(
            "Không mở được thiết bị ký số PKCS#11 của cơ quan %(code)s: %(err)s")
            % {"code": entry.agency_code, "err": str(exc) or type(exc).__name__}) from exc
    _check_validity(entry.agency_code, cert)
    return signer


def _check_validity(code: str, cert) -> None:
    now = timezone.now()
    validity = cert["tbs_certificate"]["validity"]
    if not (validity["not_before"].native <= now <= validity["not_after"].native):
        raise SigningUnavailable("signing_cert_expired", _(
            "Chứng thư số của cơ quan %(code)s không còn hiệu lực (hiệu lực từ %(start)s đến %(end)s).")
            % {"code": code, "start": timezone.localtime(validity["not_before"].native).strftime("%d/%m/%Y"),
               "end": timezone.localtime(validity["not_after"].native).strftime("%d/%m/%Y")})


def signer_for(agency_code: str):
    """The pyHanko signer of an agency, or None when the agency has no key in the configuration.
    A key that is named but cannot be used raises SigningUnavailable with what to fix."""
    conf = load()
    if conf.error:
        raise SigningUnavailable("signing_config_unreadable", conf.error)
    entry = conf.agencies.get(agency_code)
    if entry is None:
        return None
    with _LOCK:
        signer = _SIGNERS.get(agency_code)
        if signer is None:
            signer = _SIGNERS[agency_code] = _load_signer(entry)
    _check_validity(agency_code, signer.signing_cert)  # a worker lives longer than a certificate may
    return signer


def problems() -> list[str]:
    """Everything in the configuration that cannot be used, in plain words (the start-up check)."""
    conf = load()
    if not conf.exists:
        return []
    if conf.error:
        return [conf.error]
    out = []
    for path in conf.trust_roots:
        try:
            _read_certs(path)
        except (OSError, ValueError) as exc:
            out.append(_("Không đọc được chứng thư tin cậy %(path)s: %(err)s") % {"path": path, "err": exc})
    for code in conf.agencies:
        try:
            signer_for(code)  # kept: a PKCS#11 token allows one login per process
        except SigningUnavailable as exc:
            out.append(exc.message)
    return out
