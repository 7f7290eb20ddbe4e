"""The catalogue CSV runs no formulas: text starting like a formula gets an apostrophe, and the import
drops it again, so the file still round-trips."""

import csv
import io

import pytest

from procedures.models import Procedure
from procedures.transfer import export_csv, import_csv

pytestmark = pytest.mark.django_db


def test_the_catalogue_csv_neutralises_formulas_and_round_trips(catalogue):
    Procedure.objects.filter(code="1.001193").update(name='=HYPERLINK("http://evil.example","Khai sinh")',
                                                     keywords="@khai sinh, -giấy khai sinh")
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(export_csv()))}
    assert rows["1.001193"]["name"] == '\'=HYPERLINK("http://evil.example","Khai sinh")'
    assert rows["1.001193"]["keywords"] == "'@khai sinh, -giấy khai sinh"
    assert rows["1.001193"]["effective_from"][:4].isdigit()  # the catalogue keeps ISO dates
    assert import_csv(export_csv())["unchanged"] == 4
    procedure = Procedure.objects.get(code="1.001193")
    assert procedure.name == '=HYPERLINK("http://evil.example","Khai sinh")'
    assert procedure.keywords == "@khai sinh, -giấy khai sinh"
