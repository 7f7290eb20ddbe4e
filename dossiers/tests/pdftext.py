"""The text of a printed form as a reader sees it: poppler's pdftotext, with the layout kept so that a
line break in the PDF is a line break here."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def pdf_text(content: bytes, *, name: str = "") -> str:
    assert content.startswith(b"%PDF"), content[:40]
    folder = os.environ.get("FORMS_PDF_DIR")  # keep a copy to look at (pdftoppm -png -r 70)
    if folder and name:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"{name}.pdf").write_bytes(content)
    done = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True,
                          check=True)
    return done.stdout.decode("utf-8")


def squeeze(text: str) -> str:
    """The words in order, whatever the layout (for phrases that may wrap inside a table cell)."""
    return " ".join(text.split())
