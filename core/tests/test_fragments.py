"""`core.fragments`: a fragment is rendered once per key while kept; no key or no seconds renders every time; the
key follows the template's text, so what the code before a deployment kept is not shown by the code after it."""

from __future__ import annotations

from django.core.cache import cache
from django.template import engines

from core import fragments
from core.fragments import cached_fragment, cached_fragments, fragment_key


def test_a_fragment_is_rendered_once_while_it_is_kept():
    cache.clear()
    calls = []

    def render():
        calls.append(1)
        return "<p>Tìm thấy 3 thủ tục</p>"

    key = fragment_key("procedures/_results.html", "gen-1", "vi", "khai sinh")
    assert cached_fragment(key, 60, render) == cached_fragment(key, 60, render) == "<p>Tìm thấy 3 thủ tục</p>"
    assert len(calls) == 1
    other = fragment_key("procedures/_results.html", "gen-2", "vi", "khai sinh")  # the catalogue changed
    cached_fragment(other, 60, render)
    assert len(calls) == 2 and other != key
    assert fragment_key("procedures/_results.html", "gen-1", "en", "khai sinh") != key


def test_without_a_key_or_seconds_it_is_rendered_every_time_and_nothing_is_kept():
    cache.clear()
    calls = []

    def render():
        calls.append(1)
        return "x"

    for _ in range(2):
        cached_fragment(None, 60, render)
        cached_fragment("fragment:k", 0, render)
    assert len(calls) == 4 and cache.get("fragment:k") is None


def test_the_key_follows_the_template_text(tmp_path, settings):
    (tmp_path / "frag_test.html").write_text("<p>{{ x }}</p>", encoding="utf-8")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    engines._engines.clear()
    engines.__dict__.pop("templates", None)
    fragments.template_digest.cache_clear()
    try:
        before = fragment_key("frag_test.html", "g", "vi")
        assert fragment_key("frag_test.html", "g", "vi") == before
        (tmp_path / "frag_test.html").write_text("<p>{{ x }} mới</p>", encoding="utf-8")
        fragments.template_digest.cache_clear()  # a new process: the new code
        engines._engines.clear()
        assert fragment_key("frag_test.html", "g", "vi") != before
    finally:
        fragments.template_digest.cache_clear()
        engines._engines.clear()


def test_several_fragments_are_read_together_and_only_the_missing_rendered():
    cache.clear()
    calls = []

    def render(name):
        def go():
            calls.append(name)
            return f"<p>{name}</p>"
        return go

    a, b = fragment_key("procedures/_results.html", "g", "a"), fragment_key("procedures/_filters.html", "g", "b")
    cached_fragment(a, 60, render("a"))
    assert cached_fragments(60, [(a, render("a")), (b, render("b"))]) == ["<p>a</p>", "<p>b</p>"]
    assert calls == ["a", "b"]
    assert cached_fragments(60, [(a, render("a")), (b, render("b"))]) == ["<p>a</p>", "<p>b</p>"]
    assert calls == ["a", "b"]
    assert cached_fragments(0, [(a, render("a")), (None, render("c"))]) == ["<p>a</p>", "<p>c</p>"]
    assert calls == ["a", "b", "a", "c"]
