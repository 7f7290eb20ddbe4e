"""Classes REST framework loads from its settings while it imports itself (so: no import of rest_framework.views
or drf_spectacular here, or the import is circular).

- A JSON parser that refuses bodies nested deeper than any request of this API needs: a 400 in Vietnamese, never a
  RecursionError.
- OPTIONS that describes a view without building a serializer the view does not have (an AssertionError before).
"""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.metadata import SimpleMetadata


class JSONParser(parsers.JSONParser):
    """JSON bodies nested at most MAX_DEPTH levels; anything deeper or malformed is a 400 in Vietnamese."""

    MAX_DEPTH = 32

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(stream.read().decode(encoding), parse_constant=_refuse_constant)
        except RecursionError:
            raise ParseError(_too_deep_message(), code="json_too_deep") from None
        except (ValueError, UnicodeDecodeError):
            raise ParseError("Dữ liệu JSON không hợp lệ.", code="parse_error") from None
        if _deeper_than(data, self.MAX_DEPTH):
            raise ParseError(_too_deep_message(), code="json_too_deep")
        return data


def _too_deep_message() -> str:
    return f"Dữ liệu JSON lồng nhau quá sâu (tối đa {JSONParser.MAX_DEPTH} cấp)."


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _deeper_than(data, limit: int) -> bool:
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class Metadata(SimpleMetadata):
    """OPTIONS: a view that builds its serializers itself (no `serializer_class`) is described without fields."""

    def determine_actions(self, request, view):
        from rest_framework.generics import GenericAPIView  # not at the top: see the module docstring (circular)

        if getattr(view, "serializer_class", None) is None and \
                type(view).get_serializer_class is GenericAPIView.get_serializer_class:
            return {}
        return super().determine_actions(request, view)
