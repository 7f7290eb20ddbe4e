from pathlib import Path

import pytest

from procedures.transfer import import_procedures

SAMPLE = Path(__file__).parent / "data" / "sample.json"


@pytest.fixture
def catalogue(db):
    import_procedures(SAMPLE.read_text(encoding="utf-8"))
