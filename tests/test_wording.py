"""Model wording of topic units against the Ollama-compatible test server: grounded in
the unit's notes, cached by content hash, checked, never replacing the notes' own
questions."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from interviewer.cli import app
from interviewer.question_bank import bank_rows, open_grader
from interviewer.settings import load_settings
from tests.ollama_server import OllamaServer

NOTES = """\
# Distributed systems

## Consistent hashing

Keys and servers sit on a ring; a key belongs to the next server clockwise, so adding
or removing a server moves only the keys of one arc instead of reshuffling them all.

## What is a quorum?

With N replicas, writes wait for W acknowledgements and reads ask R replicas; when
R + W > N every read overlaps the latest write.
"""


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "dist.md").write_text(NOTES, encoding="utf-8")
    return corpus


def test_topic_questions_are_worded_once_and_cached(
    tmp_path: Path, ollama_server: OllamaServer
) -> None:
    corpus = _corpus(tmp_path)
    worded = "How does consistent hashing limit key movement when servers join or leave?"
    ollama_server.reply({"question": worded})
    runner = CliRunner()
    result = runner.invoke(app, ["questions", "--corpus", str(corpus), "--word-topics", "--json"])
    assert result.exit_code == 0, result.output
    chats = ollama_server.chat_requests()
    assert len(chats) == 1  # only the topic unit is sent, never the notes' own question
    prompt = chats[0]["messages"][-1]["content"]
    assert "Consistent hashing" in prompt and "next server clockwise" in prompt
    rows = bank_rows(load_settings(corpus=corpus, use_llm=False))
    kinds = {r.question: r.kind for r in rows}
    assert kinds[worded] == "generated"
    assert kinds["What is a quorum?"] == "heading"
    # Cached by content: a second run asks the model nothing.
    again = runner.invoke(app, ["questions", "--corpus", str(corpus), "--word-topics"])
    assert again.exit_code == 0 and len(ollama_server.chat_requests()) == 1
    # Changed notes: the old wording no longer applies, ours is back.
    path = corpus / "dist.md"
    path.write_text(NOTES.replace("one arc", "a single arc"), encoding="utf-8")
    grader = open_grader(load_settings(corpus=corpus, use_llm=False))
    topic = next(q for q in grader.questions() if q.heading.endswith("Consistent hashing"))
    assert topic.kind == "topic" and topic.text.startswith("What is consistent hashing")


def test_a_wording_off_the_subject_is_rejected(
    tmp_path: Path, ollama_server: OllamaServer
) -> None:
    corpus = _corpus(tmp_path)
    ollama_server.reply({"question": "What is your favourite colour?"})
    result = CliRunner().invoke(
        app, ["questions", "--corpus", str(corpus), "--word-topics", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert "1 wording(s) rejected" in result.stderr
    rows = bank_rows(load_settings(corpus=corpus, use_llm=False))
    assert {r.kind for r in rows} == {"topic", "heading"}
