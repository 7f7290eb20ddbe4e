"""Demo communes of the demo province (Gia Lai, code 52) for the address fields of declarations.

Their codes start with "D" because they are not the official codes: a real deployment loads the official list
of communes (`manage.py import_admin_units`), which the demo's codes never collide with."""

from .models import AdministrativeUnit, UnitLevel
from .units import provinces_ensure

COMMUNES = [
    ("D52001", "Phường Pleiku"), ("D52002", "Phường Hội Phú"), ("D52003", "Phường Thống Nhất"),
    ("D52004", "Phường Diên Hồng"), ("D52005", "Phường An Phú"), ("D52006", "Phường Quy Nhơn"),
    ("D52007", "Phường Quy Nhơn Đông"), ("D52008", "Phường Quy Nhơn Tây"), ("D52009", "Phường Quy Nhơn Nam"),
    ("D52010", "Phường Quy Nhơn Bắc"), ("D52011", "Xã Ia Grai"),
]


def seed(context: dict) -> None:
    province = provinces_ensure()["52"]
    for code, name in COMMUNES:
        AdministrativeUnit.objects.get_or_create(code=code, defaults={
            "name": name, "level": UnitLevel.COMMUNE, "parent": province})
