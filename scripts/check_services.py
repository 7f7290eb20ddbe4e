"""Fail fast, with a human message, when PostgreSQL or Redis is not reachable (used by `make test`)."""

from __future__ import annotations

import os
import sys

HOW = "Khởi động chúng bằng: docker compose up -d db redis  (start them with: docker compose up -d db redis)"


def main() -> int:
    database_url = os.environ.get("DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/portal")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    problems = []
    if not database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        problems.append(f"DATABASE_URL phải là PostgreSQL cho bộ kiểm thử, đang là: {database_url}")
    else:
        import environ
        import psycopg2

        cfg = environ.Env.db_url_config(database_url)
        try:
            # The test database is created by pytest-django; the server is checked through `postgres`.
            psycopg2.connect(
                dbname="postgres", user=cfg.get("USER") or None, password=cfg.get("PASSWORD") or None,
                host=cfg.get("HOST") or None, port=cfg.get("PORT") or None, connect_timeout=3,
            ).close()
        except Exception as exc:  # noqa: BLE001
            problems.append(f"Không kết nối được PostgreSQL ({cfg.get('HOST')}:{cfg.get('PORT')}): {str(exc).strip()}")
    try:
        import redis

        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001
        problems.append(f"Không kết nối được Redis ({redis_url}): {exc}")
    if problems:
        for problem in problems:
            print(f"LỖI: {problem}", file=sys.stderr)
        print(HOW, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
