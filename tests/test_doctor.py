"""`interviewer doctor`: verdicts and fixes, with and without the Ollama-compatible
server, on a tiny corpus indexed for real."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interviewer.cli import app
from interviewer.doctor import DoctorProbe, DoctorReport, run_doctor
from interviewer.index import sync_index
from interviewer.settings import load_settings

from .conftest import REPO
from .ollama_server import OllamaServer, Reply

NOTES = {
    "trees.md": "# What is bagging?\nBagging averages models trained on bootstrap samples,"
    " which lowers variance.\n",
    "nets.md": "# Dropout\nDropout zeroes random units during training to regularise.\n",
}


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "notes"
    corpus.mkdir()
    for name, text in NOTES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    return corpus


@pytest.fixture
def indexed_corpus(tiny_corpus: Path) -> Path:
    sync_index(load_settings(corpus=tiny_corpus))
    return tiny_corpus


def verdicts(report: DoctorReport) -> dict[str, str]:
    return {c.name: c.verdict for c in report.checks}


def by_name(report: DoctorReport, name: str) -> str | None:
    return next(c.fix for c in report.checks if c.name == name)


def test_without_ollama_reports_fixes_and_skips_dependent_checks(tiny_corpus: Path) -> None:
    """The model and a not-yet-built index are optional: warnings with their fixes."""
    report = run_doctor(load_settings(corpus=tiny_corpus))

    assert report.ok
    assert verdicts(report) == {
        "ollama": "warn",
        "model": "skip",
        "structured output": "skip",
        "embeddings": "pass",
        "index": "warn",
        "store": "skip",
    }
    required = run_doctor(load_settings(corpus=tiny_corpus), require_llm=True)
    assert not required.ok and verdicts(required)["ollama"] == "fail"
    ollama_fix = by_name(report, "ollama") or ""
    assert "https://ollama.com/download" in ollama_fix and "ollama serve" in ollama_fix
    assert by_name(report, "index") == f"interviewer index --corpus {tiny_corpus}"


def test_all_checks_pass_with_server_and_current_index(
    ollama_server: OllamaServer, indexed_corpus: Path
) -> None:
    report = run_doctor(load_settings(corpus=indexed_corpus))

    assert report.ok, [c for c in report.checks if c.verdict != "pass"]
    assert set(verdicts(report).values()) == {"pass"}
    assert len(report.checks) == 6
    # The round trip really asked for structured output, with a capped reply length.
    [req] = ollama_server.chat_requests()
    assert req["format"] == DoctorProbe.model_json_schema()
    assert req["options"]["num_predict"] <= 200
    assert [r.path for r in ollama_server.requests][:2] == ["/api/version", "/api/tags"]


def test_missing_model_gives_the_pull_command(
    ollama_server: OllamaServer, indexed_corpus: Path
) -> None:
    ollama_server.models = ["llama3.2:latest"]
    report = run_doctor(
        load_settings(corpus=indexed_corpus, model="qwen2.5:7b-instruct"), require_llm=True
    )

    assert not report.ok
    assert verdicts(report)["model"] == "fail"
    assert verdicts(report)["structured output"] == "skip"
    assert by_name(report, "model") == "ollama pull qwen2.5:7b-instruct"
    assert ollama_server.chat_requests() == []


def test_model_that_cannot_produce_json_fails_the_round_trip(
    ollama_server: OllamaServer, indexed_corpus: Path
) -> None:
    ollama_server.reply("I am ready!", Reply(content='{"ready": tr', done_reason="length"))
    report = run_doctor(load_settings(corpus=indexed_corpus), require_llm=True)

    check = next(c for c in report.checks if c.name == "structured output")
    assert check.verdict == "fail"
    assert "2 tries" in check.detail and "cut off" in check.detail
    assert not report.ok
    # The test server says 0.9.0, which has structured outputs: no update to advise.
    assert check.fix is not None and "update Ollama" not in check.fix
    assert "--model" in check.fix and "0.9.0" in check.fix


def test_an_old_server_that_gives_no_json_is_told_to_update(
    ollama_server: OllamaServer, indexed_corpus: Path
) -> None:
    ollama_server.version = "0.4.7"
    ollama_server.reply("I am ready!", Reply(content='{"ready": tr', done_reason="length"))
    report = run_doctor(load_settings(corpus=indexed_corpus), require_llm=True)

    check = next(c for c in report.checks if c.name == "structured output")
    assert check.verdict == "fail"
    assert check.fix is not None and "update Ollama" in check.fix


def test_no_llm_checks_only_the_grounded_core(
    ollama_server: OllamaServer, indexed_corpus: Path
) -> None:
    report = run_doctor(load_settings(corpus=indexed_corpus, use_llm=False))

    assert report.ok and not report.llm_checked
    assert list(verdicts(report)) == ["embeddings", "index", "store"]
    assert ollama_server.requests == []


def test_changed_note_makes_the_index_stale(indexed_corpus: Path) -> None:
    (indexed_corpus / "nets.md").write_text("# Dropout\nNow also at inference? No.\n")
    report = run_doctor(load_settings(corpus=indexed_corpus, use_llm=False))

    index = next(c for c in report.checks if c.name == "index")
    # Behind the notes is not broken: the next search syncs it.
    assert index.verdict == "warn" and "nets.md" in index.detail and report.ok
    assert index.fix == f"interviewer index --corpus {indexed_corpus}"


def test_missing_corpus_dir(tmp_path: Path) -> None:
    report = run_doctor(load_settings(corpus=tmp_path / "nowhere", use_llm=False))
    index = next(c for c in report.checks if c.name == "index")
    assert index.verdict == "fail" and "does not exist" in index.detail
    assert index.fix is not None and "--corpus" in index.fix


# ---- the command ------------------------------------------------------------------------
def test_cli_json_passes_with_server(ollama_server: OllamaServer, indexed_corpus: Path) -> None:
    result = CliRunner().invoke(app, ["doctor", "--json", "--corpus", str(indexed_corpus)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["ollama_host"] == ollama_server.url
    assert all(c["verdict"] == "pass" for c in data["checks"])


def test_cli_model_option_is_checked(ollama_server: OllamaServer, indexed_corpus: Path) -> None:
    result = CliRunner().invoke(
        app, ["doctor", "--corpus", str(indexed_corpus), "--model", "phi4:latest"]
    )
    assert result.exit_code == 0 and "Optional:" in result.stdout
    assert "ollama pull phi4:latest" in result.stdout
    result = CliRunner().invoke(
        app, ["doctor", "--corpus", str(indexed_corpus), "-m", "phi4:latest", "--require-llm"]
    )
    assert result.exit_code == 1 and "To fix:" in result.stdout
    assert "ollama pull phi4:latest" in result.stdout


def test_cli_without_ollama_warns_and_prints_fixes(tiny_corpus: Path) -> None:
    # The installed entry point, in a fresh process, as a user runs it.
    proc = subprocess.run(
        [sys.executable, "-m", "interviewer", "doctor", "--corpus", str(tiny_corpus)],
        capture_output=True, text=True, cwd=REPO, env=dict(os.environ), timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "FAIL" not in proc.stdout and "warning" in proc.stdout
    assert "https://ollama.com/download" in proc.stdout and "ollama serve" in proc.stdout
    assert f"interviewer index --corpus {tiny_corpus}" in proc.stdout


def test_damaged_chunk_snapshot_fails_the_index_check(indexed_corpus: Path) -> None:
    settings = load_settings(corpus=indexed_corpus, use_llm=False)
    (settings.index_dir / "chunks.json").write_text('[{"id": "trunc', encoding="utf-8")
    report = run_doctor(settings)

    index = next(c for c in report.checks if c.name == "index")
    assert not report.ok and index.verdict == "fail"
    assert "chunks.json" in index.detail and "unreadable" in index.detail
    assert index.fix == f"interviewer index --corpus {indexed_corpus}"


def test_cli_require_llm_makes_the_model_required(tiny_corpus: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "interviewer", "doctor", "--corpus", str(tiny_corpus),
         "--require-llm"],
        capture_output=True, text=True, cwd=REPO, env=dict(os.environ), timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert "FAIL" in proc.stdout and "To fix:" in proc.stdout
    assert "https://ollama.com/download" in proc.stdout


def test_what_an_interview_built_is_what_doctor_and_status_report(
    tiny_corpus: Path, home: Path
) -> None:
    """An interview (or `grade`) builds the question bank, not the search index: doctor
    says so instead of "no index yet", and does not fail for it."""
    from interviewer import index
    from interviewer.grading import Grader, models

    assert index.BANK_FILE == models.BANK_FILE

    settings = load_settings(corpus=tiny_corpus, use_llm=False)
    Grader.open(settings, use_llm=False)
    report = run_doctor(settings)
    index = next(c for c in report.checks if c.name == "index")
    assert report.ok and index.verdict == "warn"
    assert index.detail.startswith("question bank ready (")
    assert "first `interviewer search` builds it" in index.detail
    out = CliRunner().invoke(app, ["status", "--corpus", str(tiny_corpus), "--json"])
    data = json.loads(out.stdout)
    questions = int(index.detail.split("(")[1].split()[0])
    assert questions >= 1 and data["question_bank"] == questions
    assert data["index_present"] is False and "question bank" in data["message"]
