"""Certificates made here: the demo CA of `make run` (clearly marked as a demo, no legal value) and the
real certificates the tests sign with. Built with `cryptography`'s X.509 tools."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

DEMO_MARK = "DEMO - KHONG CO GIA TRI PHAP LY"


def _name(common_name: str, organisation: str = "", unit: str = "") -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if organisation:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]))
    if unit:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit[:64]))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]))
    return x509.Name(attrs)


def _usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=True, content_commitment=not ca, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                         encipher_only=False, decipher_only=False)


def make_ca(common_name: str = "DEMO CA", *, organisation: str = DEMO_MARK, days: int = 3650,
            now: dt.datetime | None = None):
    now = now or dt.datetime.now(dt.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common_name, organisation)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_usage(ca=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return cert, key


def make_cert(ca_cert, ca_key, common_name: str, *, organisation: str = "", unit: str = "",
              not_before: dt.datetime | None = None, not_after: dt.datetime | None = None):
    """An end-entity signing certificate issued by `ca_cert`."""
    now = dt.datetime.now(dt.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name(common_name, organisation, unit))
            .issuer_name(ca_cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before or now - dt.timedelta(days=1))
            .not_valid_after(not_after or now + dt.timedelta(days=730))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(ca=False), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return cert, key


def p12_bytes(key, cert, chain, password: bytes) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        b"signing", key, cert, list(chain), serialization.BestAvailableEncryption(password))


def pem(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def der(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def write_key(directory: Path, stem: str, key, cert, chain) -> dict:
    """A PKCS#12 file and its password file (mode 600); returns its entry for the configuration."""
    directory.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(18).encode()
    (directory / f"{stem}.p12").write_bytes(p12_bytes(key, cert, chain, password))
    secret = directory / f"{stem}.password"
    secret.write_bytes(password)
    secret.chmod(0o600)
    return {"pkcs12": f"{directory.name}/{stem}.p12", "password_file": f"{directory.name}/{stem}.password"}


def write_demo(root: Path, agencies: list[tuple[str, str]], leaders: list[tuple[str, str]]) -> dict:
    """The demo set-up of `make run` under `root`: a demo root CA, one organisation certificate per agency
    (code, name), one personal certificate per leader (key, full name) for signing results on "their own
    PC", and the configuration file. Keeps what exists (a second start changes nothing)."""
    root.mkdir(parents=True, exist_ok=True)
    ca_pem, ca_key_path = root / "demo-root-ca.pem", root / "keys" / "demo-root-ca.key"
    if ca_pem.exists() and ca_key_path.exists():
        ca_cert = x509.load_pem_x509_certificate(ca_pem.read_bytes())
        ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
    else:
        ca_cert, ca_key = make_ca("CA THU NGHIEM CONG DICH VU CONG (DEMO)")
        ca_key_path.parent.mkdir(parents=True, exist_ok=True)
        ca_key_path.write_bytes(ca_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption()))
        ca_key_path.chmod(0o600)
        ca_pem.write_bytes(pem(ca_cert))
    path = root / "signing.json"
    conf = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    conf.setdefault("trust_roots", [ca_pem.name])
    conf["demo"] = True
    agencies_conf = conf.setdefault("agencies", {})
    made = {"agencies": [], "leaders": []}
    for code, name in agencies:
        if code in agencies_conf:
            continue
        cert, key = make_cert(ca_cert, ca_key, name, organisation=DEMO_MARK)
        agencies_conf[code] = write_key(root / "keys", f"agency-{code}".replace("/", "_"), key, cert, [ca_cert])
        made["agencies"].append(code)
    people = root / "officers"
    for stem, full_name in leaders:
        target = people / f"{stem}.p12"
        if target.exists():
            continue
        cert, key = make_cert(ca_cert, ca_key, full_name, organisation=DEMO_MARK, unit="Lanh dao")
        write_key(people, stem, key, cert, [ca_cert])
        (people / f"{stem}.pem").write_bytes(pem(cert))
        made["leaders"].append((stem, cert))
    path.write_text(json.dumps(conf, ensure_ascii=False, indent=2), encoding="utf-8")
    return made
