"""The notifications page's list (a UNION of e-mails and SMS) compiles for SQLite too: `make run` runs on
SQLite, where an ORDER BY inside a compound statement is an error (the page answered 500 there)."""

import pytest
from django.db.backends.sqlite3.base import DatabaseWrapper

from notifications.selectors import sent_messages_for


@pytest.mark.django_db
def test_the_union_compiles_for_sqlite(django_user_model):
    user = django_user_model.objects.create_user(email="sqlite@example.com", password="x" * 12)
    sqlite = DatabaseWrapper({"NAME": ":memory:", "ENGINE": "django.db.backends.sqlite3", "OPTIONS": {},
                              "TIME_ZONE": None, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False,
                              "AUTOCOMMIT": True, "ATOMIC_REQUESTS": False, "TEST": {}, "USER": "",
                              "PASSWORD": "", "HOST": "", "PORT": ""})
    query = sent_messages_for(user)
    sql, _params = query.query.get_compiler(connection=sqlite).as_sql()
    assert "UNION ALL" in sql and sql.rstrip().upper().count("ORDER BY") == 1  # only the outer one
    page = query[:20]  # what the paginated page asks
    sql, _params = page.query.get_compiler(connection=sqlite).as_sql()
    assert "UNION ALL" in sql
    assert list(query) == []  # and it still runs on PostgreSQL
