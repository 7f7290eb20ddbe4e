"""Signing with a key on a PKCS#11 token (a production HSM; SoftHSM stands in for it here)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization

from accounts.tests.factories import AgencyFactory
from signing import checks, config, democa, pdf, services, verify
from signing.models import SignatureState

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
pytestmark = pytest.mark.skipif(not shutil.which("softhsm2-util"), reason="softhsm2 is installed by .ci/run")


@pytest.fixture
def token(pki, db, tmp_path, monkeypatch):
    """A SoftHSM token holding an agency key and its certificate from the trusted test CA."""
    pkcs11 = pytest.importorskip("pkcs11")
    (tmp_path / "tokens").mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "PORTAL", "--pin", "1234", "--so-pin",
                    "5678"], check=True, capture_output=True)
    agency = AgencyFactory(name="Sở Tư pháp tỉnh Gia Lai", code="H22.20")
    cert, key = democa.make_cert(pki.ca_cert, pki.ca_key, agency.name, organisation=agency.name)
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    subprocess.run(["softhsm2-util", "--import", str(tmp_path / "key.pem"), "--token", "PORTAL", "--label", "h22",
                    "--id", "01", "--pin", "1234"], check=True, capture_output=True)
    from asn1crypto import x509 as asn1_x509  # the certificate object's attributes, as the token stores them

    c = asn1_x509.Certificate.load(democa.der(cert))
    with pkcs11.lib(MODULE).get_token(token_label="PORTAL").open(rw=True, user_pin="1234") as session:
        a = pkcs11.Attribute
        session.create_object({
            a.CLASS: pkcs11.ObjectClass.CERTIFICATE, a.CERTIFICATE_TYPE: pkcs11.CertificateType.X_509,
            a.VALUE: democa.der(cert), a.LABEL: "h22", a.ID: b"\x01", a.TOKEN: True, a.SUBJECT: c.subject.dump(),
            a.ISSUER: c.issuer.dump(), a.SERIAL_NUMBER: c["tbs_certificate"]["serial_number"].dump()})
    pki.conf["agencies"][agency.code] = {"pkcs11": {"module": MODULE, "token_label": "PORTAL", "key_label": "h22",
                                                    "pin_env": "TEST_HSM_PIN", "raw_mechanism": True}}
    pki.write()
    monkeypatch.setenv("TEST_HSM_PIN", "1234")
    yield agency
    config.reset()  # logs out of the token


def test_a_document_is_signed_on_the_token_and_validates(token):
    doc = services.document_issue(
        kind="receipt", ref="dossier:9:receipt", agency=token, number="X",
        render=lambda url: pdf.render_html(f'<p>{url}</p><div id="chu-ky-so" style="width:60mm;height:20mm"></div>'))
    assert doc.signature == SignatureState.AGENCY and doc.signer_name == "Sở Tư pháp tỉnh Gia Lai"
    assert verify.check_pdf(doc.file.read()).state == "valid"


def test_a_wrong_pin_or_a_missing_one_fails_the_start_up_check(token, monkeypatch):
    monkeypatch.setenv("TEST_HSM_PIN", "0000")
    config.reset()
    [error] = checks.signing_configuration()
    assert "PKCS#11" in error.msg and token.code in error.msg
    monkeypatch.delenv("TEST_HSM_PIN")
    config.reset()
    [error] = checks.signing_configuration()
    assert "TEST_HSM_PIN" in error.msg
    assert json.loads(config.load().path.read_text())["agencies"][token.code]["pkcs11"]["module"] == MODULE
