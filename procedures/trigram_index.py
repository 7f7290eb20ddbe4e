"""SQLite only: an FTS5 table (trigram tokenizer) that finds the few procedures a typo can match.

PostgreSQL ranks the catalogue search with pg_trgm; SQLite runs the same numbers in Python
(procedures.text.catalogue_similarity), which is too slow to call on every row of a large catalogue.
This index narrows the rows first, and can never drop one the search would return:

- word_similarity(query, text) = count / (ulen1 + ulen2 - count) where count <= ulen2 is the number of
  the query's distinct trigrams found in one extent of the text, and ulen1 the number of the query's
  distinct trigrams. So a similarity >= threshold needs |query trigrams ∩ text trigrams| >= threshold * ulen1.
- The table holds each procedure's search_text with every word padded as pg_trgm pads it (two spaces
  before, one after, '.' splitting words): the 3-character substrings of that padded text shaped like a
  pg_trgm trigram ("  a", " ab", " a ", "abc", "bc ") are exactly the text's pg_trgm trigrams; the others
  ("c  ", "   ") never match a query trigram. A one-trigram FTS5 query therefore finds exactly the rows
  holding that trigram, and counting hits per row over the query's trigrams gives |query ∩ text|.
- search_text is always procedures.text.search_key() output (lower-case [0-9a-z], single spaces, '.' only
  between digits: Procedure.build_search_text), which is what the SQL padding below relies on.

Rows that hold every word of the query are found by the selector's own LIKE filter, not by this index.
The table is created (and filled) by migration 0006 and after every `migrate` (a table rebuilt by a later
SQLite migration loses its triggers: they are put back and the index refilled). If this SQLite has no
FTS5 or no trigram tokenizer (before 3.34), the search logs it once and compares every row, as before.
"""

from __future__ import annotations

import logging
import math

from django.db.models.expressions import RawSQL
from django.db.utils import DatabaseError

from .text import trigrams

logger = logging.getLogger(__name__)

TABLE = "procedures_search_trigrams"
TRIGGERS = (f"{TABLE}_insert", f"{TABLE}_update", f"{TABLE}_delete")
PROCEDURE_TABLE = "procedures_procedure"
# At most this many of the query's trigrams are looked up (a compound SELECT has a limit of 500 terms);
# the count asked for is lowered by the ones left out, so no row is lost.
MAX_LOOKUPS = 120
TOKENIZER = "'trigram'"  # SQLite >= 3.34


def _padded(column: str) -> str:
    """SQL turning search_text 'dang ki 1.001' into '  dang   ki   1   001 '."""
    return f"'  ' || replace(replace({column}, '.', ' '), ' ', '   ') || ' '"


_warned = False


def _warn_once(message: str, *args) -> None:
    global _warned
    if not _warned:
        _warned = True
        logger.warning(message, *args)


def install(connection) -> bool:
    """Create the index table and its triggers where missing, filling the table when it is new or a
    trigger was missing. Idempotent; a no-op off SQLite. False when this SQLite cannot hold it."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name IN (%s, %s)", [TABLE, PROCEDURE_TABLE])
        present = {row[0] for row in cursor.fetchall()}
        if PROCEDURE_TABLE not in present:
            return False
        if TABLE not in present:
            try:
                cursor.execute(f"CREATE VIRTUAL TABLE {TABLE} USING fts5(padded, tokenize={TOKENIZER}, detail='none')")
            except DatabaseError as exc:
                _warn_once("Tìm kiếm thủ tục trên SQLite: không tạo được chỉ mục FTS5 trigram (%s; cần SQLite "
                           ">= 3.34 có FTS5), tìm kiếm sẽ so từng dòng và chậm hơn.", exc)
                return False
        cursor.execute(f"SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN "
                       f"({', '.join(['%s'] * len(TRIGGERS))})", list(TRIGGERS))
        complete = cursor.fetchone()[0] == len(TRIGGERS) and TABLE in present
        insert, update, delete = TRIGGERS
        cursor.execute(f"""CREATE TRIGGER IF NOT EXISTS {insert} AFTER INSERT ON {PROCEDURE_TABLE} BEGIN
            INSERT INTO {TABLE}(rowid, padded) VALUES (new.id, {_padded('new.search_text')}); END""")
        cursor.execute(f"""CREATE TRIGGER IF NOT EXISTS {update} AFTER UPDATE OF id, search_text ON {PROCEDURE_TABLE}
            BEGIN DELETE FROM {TABLE} WHERE rowid = old.id;
            INSERT INTO {TABLE}(rowid, padded) VALUES (new.id, {_padded('new.search_text')}); END""")
        cursor.execute(f"""CREATE TRIGGER IF NOT EXISTS {delete} AFTER DELETE ON {PROCEDURE_TABLE} BEGIN
            DELETE FROM {TABLE} WHERE rowid = old.id; END""")
        if not complete:
            rebuild(connection)
    return True


def rebuild(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(f"INSERT INTO {TABLE}(rowid, padded) SELECT id, {_padded('search_text')} FROM {PROCEDURE_TABLE}")


def uninstall(connection) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for trigger in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def available(connection) -> bool:
    """The table and its three triggers are there (so the index matches the procedures)."""
    if connection.vendor != "sqlite":
        return False
    names = [TABLE, *TRIGGERS]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM sqlite_master WHERE name IN ({', '.join(['%s'] * len(names))})", names)
        ready = cursor.fetchone()[0] == len(names)
    if not ready:
        _warn_once("Tìm kiếm thủ tục trên SQLite: thiếu chỉ mục %s (chạy `manage.py migrate`; cần SQLite >= 3.34 "
                   "có FTS5), tìm kiếm sẽ so từng dòng và chậm hơn.", TABLE)
    return ready


def candidates(query: str, threshold: float) -> RawSQL | None:
    """A subquery of the ids of the procedures whose search text shares at least threshold × the query's
    distinct trigrams (every row whose word_similarity can reach threshold); None if the query has none."""
    wanted = sorted(set(trigrams(query)))
    if not wanted:
        return None
    # The float error of threshold * n only ever lowers the count asked for (more rows, never fewer).
    needed = math.ceil(threshold * len(wanted) - 1e-9)
    looked_up = wanted[:MAX_LOOKUPS]
    needed = max(1, needed - (len(wanted) - len(looked_up)))
    lookups = " UNION ALL ".join([f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s"] * len(looked_up))
    sql = f"SELECT rowid FROM ({lookups}) GROUP BY rowid HAVING count(*) >= %s"
    return RawSQL(sql, [f'"{t}"' for t in looked_up] + [needed])
