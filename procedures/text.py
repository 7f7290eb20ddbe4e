"""Accent-insensitive text for the catalogue search (works the same on PostgreSQL and SQLite).

`search_key` is what is stored in Procedure.search_text and what a query is turned into; `word_similarity`
is pg_trgm's word_similarity() in Python, so SQLite (`make run`) ranks and forgives typos exactly as
PostgreSQL does (see selectors.procedure_search and the test that compares both on PostgreSQL).
"""

import re
import unicodedata
from functools import lru_cache

_NON_WORD = re.compile(r"[^0-9a-z.]+")
# A syllable made of an initial consonant and a final "y" is also spelt with "i" (ký/kí, lý/lí, mỹ/mĩ,
# quy/qui, sỹ/sĩ, tỷ/tỉ...): the search folds it to "i". "y" after a vowel is another sound (tay ≠ tai,
# thuy, uyen, xay) and a lone "y" (y tế) is never spelt "i": both are kept.
_FINAL_Y = re.compile(r"\b(b|ch|c|d|gh|g|h|kh|k|l|m|ngh|ng|nh|n|ph|p|qu|r|s|th|tr|t|v|x)y\b")
_TRGM_WORD = re.compile(r"[0-9a-z]+")


def normalize(text: str) -> str:
    """'Đăng ký khai sinh (lưu động)' -> 'dang ky khai sinh luu dong'."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn").lower()
    text = _NON_WORD.sub(" ", text)
    text = re.sub(r"(?<![0-9])\.|\.(?![0-9])", " ", text)  # keep dots only inside codes like 1.000948
    return " ".join(text.split())


def search_key(text: str) -> str:
    """normalize() with the i/y spelling variants folded: 'Đăng ký khai sinh' and 'dang ki khai sinh'
    both give 'dang ki khai sinh'."""
    return _FINAL_Y.sub(r"\1i", normalize(text))


@lru_cache(maxsize=8192)
def trigrams(text: str) -> tuple[str, ...]:
    """pg_trgm's trigrams in text order: each word (letters and digits) padded with two spaces before
    and one after, lower-cased. '.' separates words as in pg_trgm."""
    out: list[str] = []
    for word in _TRGM_WORD.findall(text.lower()):
        padded = f"  {word} "
        out.extend(padded[i:i + 3] for i in range(len(padded) - 2))
    return tuple(out)


@lru_cache(maxsize=8192)
def _indexed(text: str) -> tuple[tuple[str, ...], tuple[int, ...], int]:
    """The text's trigrams, each one's number among the distinct ones, and how many are distinct."""
    seq = trigrams(text)
    numbers: dict[str, int] = {}
    ids = tuple(numbers.setdefault(t, len(numbers)) for t in seq)
    return seq, ids, len(numbers)


def word_similarity(query: str, text: str) -> float:
    """pg_trgm's word_similarity(query, text): the greatest similarity between the query's trigram set
    and a continuous extent of the text's trigrams (the iterative match of contrib/pg_trgm/trgm_op.c)."""
    wanted = _trigram_set(query)
    seq, ids, distinct = _indexed(text)
    ulen1 = len(wanted)
    if not ulen1 or wanted.isdisjoint(seq):
        return 0.0
    found = [t in wanted for t in seq]  # per position
    lastpos = [-1] * distinct
    lower, count, ulen2, best = -1, 0, 0, 0.0
    for i, tid in enumerate(ids):
        hit = found[i]
        if lower >= 0 or hit:
            if lastpos[tid] < 0:
                ulen2 += 1
                count += hit
            lastpos[tid] = i
        if not hit:
            continue
        if lower == -1:
            lower, ulen2 = i, 1
        current = count / (ulen1 + ulen2 - count)
        # Moving the lower bound right may give a greater similarity.
        tmp_count, tmp_ulen2, prev_lower = count, ulen2, lower
        for k in range(lower, i + 1):
            tmp = tmp_count / (ulen1 + tmp_ulen2 - tmp_count)
            if tmp > current:
                current, ulen2, lower, count = tmp, tmp_ulen2, k, tmp_count
            if lastpos[ids[k]] == k:
                tmp_ulen2 -= 1
                tmp_count -= found[k]
        if current > best:
            best = current
        for k in range(prev_lower, lower):
            if lastpos[ids[k]] == k:
                lastpos[ids[k]] = -1
    return best


@lru_cache(maxsize=256)
def _trigram_set(query: str) -> frozenset[str]:
    return frozenset(trigrams(query))


@lru_cache(maxsize=8192)
def catalogue_similarity(query: str, text: str, threshold: float) -> float:
    """word_similarity() for a row the search can return (it holds every query word, or it may reach
    the typo threshold); 0 for the others, which the search drops anyway. The bound
    shared trigrams / query trigrams >= similarity skips the costly match for most rows on SQLite.
    Cached: SQLite asks twice for a row that passes the typo filter (WHERE, then SELECT), and a page
    asks again for its count."""
    if not query or not text:
        return 0.0
    if f" {query} " in f" {text} ":
        return 1.0  # the query's words, whole and in order: its trigrams are one extent (what pg_trgm finds)
    if not all(word in text for word in query.split()):
        wanted = _trigram_set(query)
        if not wanted or len(wanted.intersection(trigrams(text))) < threshold * len(wanted):
            return 0.0
    return word_similarity(query, text)
