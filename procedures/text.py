"""Accent-insensitive text for the catalogue search (works the same on PostgreSQL and SQLite)."""

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z.]+")


def normalize(text: str) -> str:
    """'Đăng ký khai sinh (lưu động)' -> 'dang ky khai sinh luu dong'."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn").lower()
    text = _NON_WORD.sub(" ", text)
    text = re.sub(r"(?<![0-9])\.|\.(?![0-9])", " ", text)  # keep dots only inside codes like 1.000948
    return " ".join(text.split())
