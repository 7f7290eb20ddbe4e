"""Sections that higher apps add to the dossier page (fees and payment, the citizen's document store,
the national-portal sync failures) without dossiers importing them: each registers a template and a
context function in its apps.ready().
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    context: Callable  # (request, dossier, staff_view) -> dict | None (None: nothing to show)
    place: str = "after_actions"  # or "before_actions", "after_documents"


PANELS: dict[str, Panel] = {}


def register(panel: Panel) -> None:
    PANELS[panel.name] = panel


def render_panels(request, dossier, staff_view: bool) -> dict[str, str]:
    """{place: html} for the dossier page."""
    out: dict[str, list[str]] = {}
    for panel in PANELS.values():
        context = panel.context(request, dossier, staff_view)
        if context is not None:
            out.setdefault(panel.place, []).append(
                render_to_string(panel.template, {"dossier": dossier, "staff_view": staff_view, **context},
                                 request=request))
    return {place: "".join(parts) for place, parts in out.items()}
