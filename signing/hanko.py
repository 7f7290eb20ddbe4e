"""The pyHanko names the signing code uses, in one module imported on first use: pyHanko takes about
0.35 s to import, which a web worker that never signs should not pay at start."""

import warnings

with warnings.catch_warnings():  # pyHanko imports DSA names that `cryptography` marks deprecated
    warnings.simplefilter("ignore")  # CryptographyDeprecationWarning is a UserWarning
    from pyhanko.keys import load_private_key_from_pemder_data
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.timestamps import DummyTimeStamper, HTTPTimeStamper
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko.stamp import StaticStampStyle
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.registry import SimpleCertificateStore

__all__ = [
    "DummyTimeStamper", "HTTPTimeStamper", "IncrementalPdfFileWriter", "ModificationLevel", "PdfFileReader",
    "PdfReadError", "SignatureCoverageLevel", "SignatureValidationError", "SimpleCertificateStore",
    "StaticStampStyle", "ValidationContext", "extract_tst_data_iter", "fields", "generic",
    "load_private_key_from_pemder_data", "signers", "validate_pdf_signature",
]
