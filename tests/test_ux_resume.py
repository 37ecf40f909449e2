"""Ctrl-C while the model's critique streams, then `resume`: the follow-up to that
answer is asked before the next question."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ollama_server import OllamaServer


@pytest.mark.parametrize("questions", [1, 2])
@pytest.mark.parametrize("where", ["critique_start", "token"])
def test_resume_after_ctrl_c_in_the_critique_asks_the_follow_up(
    tmp_path: Path, ollama_server: OllamaServer, questions: int, where: str
) -> None:
    from interviewer.grading import Grader
    from interviewer.session import EngineStatus, Interview, resumable_session, start_session
    from interviewer.settings import load_settings
    from interviewer.store import SessionOptions, SessionStore
    from tests.test_session import ScriptedIO

    class CtrlCInCritique(ScriptedIO):
        def critique_start(self) -> None:
            if where == "critique_start":
                raise KeyboardInterrupt

        def token(self, text: str) -> None:
            raise KeyboardInterrupt

    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "unix.md").write_text(
        "# Unix\n\n## What is an orphan process?\n\nA process whose parent exited while it "
        "was still running. It is re-parented to init, which reaps it with wait so that "
        "no zombie is left in the process table.\n\n"
        "## What is a pipe?\n\nA one-way byte stream between two processes, created by "
        "the kernel; the reader blocks until the writer writes.\n",
        encoding="utf-8",
    )
    settings = load_settings(home=tmp_path / "home", corpus=corpus)
    grader = Grader.open(settings, use_llm=True)
    engine = EngineStatus(engine=f"ollama:{settings.model}", use_llm=True)
    with SessionStore(settings.sessions_db) as store:
        record = start_session(
            grader, store, settings, SessionOptions(questions=questions, follow_ups=1)
        )
        io = CtrlCInCritique(["Something about processes, I think."])  # (not "I don't know")
        with pytest.raises(KeyboardInterrupt):
            Interview(grader, store, io, record, engine=engine).run()
        [turn] = store.turns(record.id)
        assert turn.feedback is not None and turn.feedback.follow_up

        again = resumable_session(store)
        assert again is not None
        io2 = ScriptedIO(["An answer to the follow-up.", "An answer to the next one."])
        Interview(grader, store, io2, again, engine=engine).run()
        asked = io2.of("ask")
        assert asked[0].kind == "follow_up", [a.text for a in asked]
        assert asked[0].text == turn.feedback.follow_up
