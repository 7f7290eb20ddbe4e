"""While `manage.py seed_demo` loads the demo data, nothing is queued for the worker.

The demo dossiers go through the real services, which after each commit queue e-mails, SMS, the
document-store intake and the push to the national portal. Queued for real, those hundreds of tasks
would sit ahead of the first real message after `make run` (a citizen's verification e-mail). Inside
`loading_demo()` each side effect is recorded as done instead (messages and sync items as already
sent) or, when the demo needs its result (the citizen's document store), done in the process.
Real actions are never inside it and still queue.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_loading: ContextVar[bool] = ContextVar("loading_demo", default=False)


@contextmanager
def loading_demo() -> Iterator[None]:
    token = _loading.set(True)
    try:
        yield
    finally:
        _loading.reset(token)


def is_loading_demo() -> bool:
    return _loading.get()
