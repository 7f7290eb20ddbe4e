from pathlib import Path

from dossiers.workflow import OPEN, STEP_OF, TERMINAL, TRANSITIONS, Status, as_markdown


def test_readme_prints_the_same_table():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert as_markdown() in readme


def test_every_state_is_reachable_and_terminal_states_have_no_exit():
    reached = {Status.DRAFT} | {t.target for t in TRANSITIONS}
    assert reached == set(Status.values)
    for t in TRANSITIONS:
        assert not set(t.sources) & TERMINAL, t.name
    assert set(STEP_OF) == set(Status.values)
    assert Status.DRAFT not in OPEN and not (OPEN & TERMINAL)
