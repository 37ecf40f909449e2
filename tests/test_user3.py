"""The product used end to end as a demanding new user would (session 21, user3):
follow-ups, the model layer against the Ollama test server, settings, documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.grading import Grader
from interviewer.session import Interview, start_session
from interviewer.settings import Settings, load_settings
from interviewer.store import SessionOptions, SessionStore
from interviewer.text import stem_set
from tests.conftest import BUNDLED_CORPUS
from tests.test_session import ScriptedIO


@pytest.fixture(scope="module")
def module_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("user3-home")


@pytest.fixture(scope="module")
def settings(module_home: Path) -> Settings:
    return load_settings(home=module_home, corpus=BUNDLED_CORPUS, use_llm=False)


@pytest.fixture(scope="module")
def grader(settings: Settings) -> Grader:
    return Grader.open(settings, use_llm=False)


# ---- follow-ups are graded on the point they ask about ---------------------------------
def test_a_follow_up_is_graded_on_the_point_it_names(
    tmp_path: Path, settings: Settings, grader: Grader
) -> None:
    q = next(q for q in grader.questions() if q.text == "What is a decision tree?")
    local = settings.model_copy(update={"home": tmp_path})
    off_topic = "Bagging trains models on bootstrap samples and averages them."
    with SessionStore(local.sessions_db) as store:
        record = start_session(grader, store, local, SessionOptions(questions=1, follow_ups=2))
        record = store.update_session(
            record.model_copy(update={"plan": [record.plan[0].model_copy(
                update={"id": q.id, "text": q.text, "topic": q.topic})]}
            )  # fmt: skip
        )
        io = ScriptedIO([off_topic, "no idea", "no idea"])
        Interview(grader, store, io, record).run()
        turn = store.transcript(record.id).turns[0]
    assert turn.feedback is not None and len(turn.feedback.missed) >= 2
    assert turn.follow_ups, "a weak answer gets a follow-up"
    graded: list[str] = []
    checked = 0
    for follow in turn.follow_ups:
        fb = follow.feedback
        assert fb is not None
        (point,) = fb.missed + fb.partial + fb.covered
        graded.append(point.text)
        # A word the follow-up asks about that only one key point of the question holds
        # names that point: the follow-up must be graded on it, not on another.
        asked = stem_set(follow.question) - stem_set(q.text)
        owners = [kp.text for kp in q.key_points if asked & stem_set(kp.text)]
        if len(set(owners)) == 1:
            assert point.text == owners[0], (follow.question, point.text)
            checked += 1
    assert checked, [f.question for f in turn.follow_ups]
    assert len(set(graded)) == len(graded), "two follow-ups on the same point"


# ---- settings -------------------------------------------------------------------------
def test_ollama_host_in_the_environment_wins_over_the_config_file(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = home / "config" / "interviewer" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('ollama_host = "http://127.0.0.1:9"\nmodel = "from-file"\n')
    monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:11511")
    s = load_settings()
    assert s.ollama_host == "http://127.0.0.1:11511"  # the README: environment over file
    assert s.model == "from-file"
    monkeypatch.setenv("INTERVIEWER_OLLAMA_HOST", "http://127.0.0.1:11600")
    assert load_settings().ollama_host == "http://127.0.0.1:11600"
    monkeypatch.delenv("INTERVIEWER_OLLAMA_HOST")
    monkeypatch.delenv("OLLAMA_HOST")
    assert load_settings().ollama_host == "http://127.0.0.1:9"
