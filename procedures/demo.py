"""Demo/seed data of the catalogue: the real procedures in procedures/seed/procedures.json."""

from pathlib import Path

from .transfer import import_procedures

SEED = Path(__file__).resolve().parent / "seed" / "procedures.json"


def seed(context: dict) -> None:
    if SEED.exists():
        context["procedures"] = import_procedures(SEED.read_text(encoding="utf-8"))
