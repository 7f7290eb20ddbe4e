"""Real certificates for tests (the `pki` fixture of the root conftest): a CA the configuration trusts,
agency keys in PKCS#12 files, and personal certificates with which a test signs like a leader's USB token."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization

from . import config, democa


def signer_from(cert, key):
    """A pyHanko signer from `cryptography` objects (what a leader's token does on their PC)."""
    from . import hanko as h  # pyHanko is heavy to import (see hanko.py)

    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    signer = h.signers.SimpleSigner(
        signing_cert=load_cert_from_pemder_bytes(democa.der(cert)),
        signing_key=h.load_private_key_from_pemder_data(key_pem, passphrase=None),
        cert_registry=h.SimpleCertificateStore())
    return signer


def load_cert_from_pemder_bytes(data: bytes):
    return asn1_x509.Certificate.load(data)


def sign_pdf(data: bytes, cert, key, *, chain=(), field: str = "LeaderSignature") -> bytes:
    """Sign `data` in an incremental update (as signing tools do), with the given certificate."""
    from . import hanko as h  # pyHanko is heavy to import (see hanko.py)

    signer = signer_from(cert, key)
    for extra in chain:
        signer.cert_registry.register(load_cert_from_pemder_bytes(democa.der(extra)))
    meta = h.signers.PdfSignatureMetadata(field_name=field, md_algorithm="sha256",
                                        subfilter=h.fields.SigSeedSubFilter.PADES)
    return h.signers.PdfSigner(meta, signer=signer).sign_pdf(h.IncrementalPdfFileWriter(io.BytesIO(data))).getvalue()


class Pki:
    """A trusted test CA and the signing configuration file under `root` (SIGNING_CONFIG points there)."""

    def __init__(self, root: Path):
        self.root = root
        self.ca_cert, self.ca_key = democa.make_ca("CA KIEM THU")
        (root / "ca.pem").write_bytes(democa.pem(self.ca_cert))
        self.conf = {"trust_roots": ["ca.pem"], "demo": False, "agencies": {}}
        self.write()

    def write(self) -> None:
        (self.root / "signing.json").write_text(json.dumps(self.conf), encoding="utf-8")
        config.reset()

    @property
    def path(self) -> Path:
        return self.root / "signing.json"

    def add_agency(self, agency, *, not_after: dt.datetime | None = None):
        """An organisation certificate for `agency` in a PKCS#12 file the configuration names."""
        cert, key = democa.make_cert(self.ca_cert, self.ca_key, agency.name, organisation=agency.name[:64],
                                     not_after=not_after)
        self.conf["agencies"][agency.code] = democa.write_key(self.root / "keys", f"a{agency.pk}", key, cert,
                                                              [self.ca_cert])
        self.write()
        return cert, key

    def person(self, name: str, **validity):
        """A leader's personal certificate and key (what sits on their USB token), issued by the trusted CA."""
        return democa.make_cert(self.ca_cert, self.ca_key, name, unit="Lanh dao", **validity)

    def stranger(self, name: str):
        """A certificate from a CA the province does not trust."""
        ca_cert, ca_key = democa.make_ca("CA LA")
        return democa.make_cert(ca_cert, ca_key, name)
