"""PAdES B-T: with a timestamp server configured, each signature carries an RFC 3161 token, and a check
judges the certificate at the time the token proves (not at the time the signer claims)."""

from __future__ import annotations

import datetime as dt

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from accounts.tests.factories import AgencyFactory
from signing import config, hanko, pdf, services, verify


def _tsa(pki):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # pyHanko's test TSA is RSA-only
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TSA KIEM THU")]))
            .issuer_name(pki.ca_cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .sign(pki.ca_key, hashes.SHA256()))
    der_key = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return (asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
            asn1_keys.PrivateKeyInfo.load(der_key))


def test_a_configured_timestamp_server_stamps_each_signature(pki, db, settings, monkeypatch):
    agency = AgencyFactory(name="Ủy ban nhân dân phường Pleiku", code="H22.30")
    pki.add_agency(agency)
    tsa_cert, tsa_key = _tsa(pki)
    proved = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=3)
    asked = []

    def http_timestamper(url, timeout):
        asked.append(url)
        return hanko.DummyTimeStamper(tsa_cert, tsa_key, fixed_dt=proved)

    settings.SIGNING_TSA_URL = "http://tsa.example.vn/"
    config.reset()
    monkeypatch.setattr(hanko, "HTTPTimeStamper", http_timestamper)
    doc = services.document_issue(
        kind="receipt", ref="dossier:3:receipt", agency=agency,
        render=lambda url: pdf.render_html(f'<p>{url}</p><div id="chu-ky-so" style="width:60mm;height:20mm"></div>'))
    assert asked == ["http://tsa.example.vn/"]
    [s] = verify.check_pdf(doc.file.read()).signatures
    assert s.timestamped and s.ok
    assert s.signed_at == proved  # the time the token proves, not the one the signer claims
