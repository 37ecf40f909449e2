"""Hostile or odd input (issue 13): each finding reproduced in a few lines with a temp
data dir, and answered with one line, never a traceback, a hang or a leak."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interviewer.cli import app
from interviewer.corpus import load_corpus
from interviewer.index import load_chunks, sync_index
from interviewer.settings import load_settings

from .conftest import REPO
from .web_server import WebServer

# Nine levels of nine aliases each ("billion laughs"): 9^9 strings once expanded.
BOMB = (
    "---\n"
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{x}: &{x} [{', '.join([f'*{p}'] * 9)}]\n"
        for p, x in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "---\n# What does the bomb say?\nIts body is an ordinary note about variance and bias.\n"
)
GOOD = "# What is bagging?\nBagging averages models trained on bootstrap samples of the data.\n"


def run_cli(*args: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "interviewer", *args],
        capture_output=True, text=True, timeout=300, cwd=REPO,
        env={**os.environ, "INTERVIEWER_HOME": str(home), **env},
    )  # fmt: skip


def no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "good.md").write_text(GOOD, encoding="utf-8")
    return corpus


def test_yaml_alias_bomb_is_refused_in_one_line_and_the_rest_indexes(notes: Path) -> None:
    assert len(BOMB.split("---")[1].encode()) < 600  # a few hundred bytes of front matter
    (notes / "bomb.md").write_text(BOMB, encoding="utf-8")
    report = sync_index(load_settings(corpus=notes))
    problems = [str(p) for p in report.problems]
    assert problems == ["bomb.md: YAML aliases in the front matter at line 3; metadata ignored"]
    headings = {c.heading for c in load_chunks(load_settings(corpus=notes).index_dir)}
    assert headings == {"What is bagging?", "What does the bomb say?"}


def test_add_of_a_yaml_bomb_is_quick_and_keeps_no_metadata(notes: Path, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.md"
    bomb.write_text(BOMB, encoding="utf-8")
    out = CliRunner().invoke(app, ["add", str(bomb), "--corpus", str(notes), "--no-index"])
    assert out.exit_code == 0, out.output
    doc = next(d for d in load_corpus(notes).documents if d.source == "bomb.md")
    assert doc.tags == [] and "front_matter_problem" in doc.metadata


def test_a_file_that_cannot_be_chunked_is_skipped_with_one_line(
    notes: Path, tmp_path: Path
) -> None:
    """The sentence splitter's regular expressions run under a time limit (NLTK's
    redos guard). Hitting it skips that file, with a line that does not quote the
    pattern; the index run itself completes."""
    script = (
        "import nltk.redos, sys\n"
        "nltk.redos.DEFAULT_TIMEOUT = 1e-9\n"
        "from interviewer.index import sync_index\n"
        "from interviewer.settings import load_settings\n"
        "r = sync_index(load_settings(corpus=sys.argv[1]))\n"
        "print('\\n'.join('R: ' + str(p) for p in r.problems))\n"
        "print('R:', r.total_files, r.total_chunks)\n"
    )
    sentences = " ".join(f"Sentence {i} of a long note says something." for i in range(400))
    (notes / "long.md").write_text(f"# Long\n{sentences}\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", script, str(notes)], capture_output=True, text=True,
        timeout=300, cwd=REPO, env={**os.environ, "INTERVIEWER_HOME": str(tmp_path / "h")},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    # (NLTK itself prints a line of its own when its data lookup hits the limit.)
    assert [line[3:] for line in proc.stdout.splitlines() if line.startswith("R: ")] == [
        "long.md: splitting its text into sentences hit a time limit; skipped (split the file)",
        "2 1",  # the short note is indexed; the long one is recorded, without chunks
    ]


def test_odd_links_fail_one_line_each_and_the_rest_is_fetched(
    tmp_path: Path, web_server: WebServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERVIEWER_ALLOW_PRIVATE_URLS", "1")
    corpus = tmp_path / "notes"
    corpus.mkdir()
    bad = ["http://1.2.3.04/x", "http://0177.0.0.1/x", "http://[::1/x"]
    urls = [*bad, web_server.url("/article.html")]
    links = "\n".join(f"- [{i}]({u})" for i, u in enumerate(urls))
    (corpus / "links.md").write_text(f"# What is read?\n{links}\n", encoding="utf-8")
    proc = run_cli("fetch-references", "--corpus", str(corpus), "--json", "--no-index",
                   home=tmp_path / "h", INTERVIEWER_ALLOW_PRIVATE_URLS="1")  # fmt: skip
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    outcomes = {o["url"]: o for o in report["outcomes"]}
    assert outcomes[web_server.url("/article.html")]["outcome"] == "fetched"
    for url in bad:
        reason = outcomes[url]["reason"]
        assert outcomes[url]["outcome"] == "failed" and "\n" not in reason
    assert "ambiguous numeric address" in outcomes[bad[0]]["reason"]
    assert "Invalid IPv6 URL" in outcomes[bad[2]]["reason"]
    assert web_server.hits("/x") == 0


@pytest.mark.parametrize("url", ["http://0177.0.0.1/x", "http://[::1/x", "http://1.2.3.04/x"])
def test_add_of_an_odd_url_is_one_line(url: str, notes: Path) -> None:
    out = CliRunner().invoke(app, ["add", url, "--corpus", str(notes)])
    assert out.exit_code == 1 and out.exception is not None
    message = str(out.exception)
    assert message.startswith("nothing added: ") and "\n" not in message


def test_credentials_in_a_url_are_never_stored_or_shown(
    tmp_path: Path, web_server: WebServer, notes: Path
) -> None:
    url = web_server.url("/article.html").replace("http://", "http://alice:s3cret@")
    proc = run_cli("add", url, "--corpus", str(notes), "--no-index", home=tmp_path / "h",
                   INTERVIEWER_ALLOW_PRIVATE_URLS="1")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "s3cret" not in proc.stdout + proc.stderr
    stored = "".join(p.read_text(encoding="utf-8") for p in (notes / "references").glob("*"))
    assert "s3cret" not in stored and web_server.url("/article.html") in stored
    assert all("alice" not in h.get("Authorization", "") for _p, h in web_server.requests)
    failing = url.replace("/article.html", "/missing")
    proc = run_cli("add", failing, "--corpus", str(notes), home=tmp_path / "h",
                   INTERVIEWER_ALLOW_PRIVATE_URLS="1")  # fmt: skip
    assert proc.returncode == 1 and "s3cret" not in proc.stdout + proc.stderr
    assert "HTTP 404" in proc.stderr


def test_hidden_files_are_refused_with_a_reason(notes: Path, tmp_path: Path) -> None:
    hidden = tmp_path / ".secret-notes.md"
    hidden.write_text(GOOD, encoding="utf-8")
    out = CliRunner().invoke(app, ["add", str(hidden), "--corpus", str(notes)])
    assert out.exit_code == 1
    assert "hidden files" in str(out.exception) and "rename it" in str(out.exception)
    assert not (notes / ".secret-notes.md").exists()


def test_add_refuses_a_package_or_code_dir_as_corpus(home: Path, tmp_path: Path) -> None:
    note = tmp_path / "n.md"
    note.write_text(GOOD, encoding="utf-8")
    package = REPO / "interviewer"
    out = CliRunner().invoke(app, ["add", str(note), "--corpus", str(package)])
    assert out.exit_code == 1 and "is a Python package" in str(out.exception)
    assert not (home / "corpus").exists() and not (package / "n.md").exists()
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "run.py").write_text("print(1)\n", encoding="utf-8")
    out = CliRunner().invoke(app, ["add", str(note), "--corpus", str(scripts)])
    assert out.exit_code == 1 and "holds code (run.py)" in str(out.exception)
    assert sorted(p.name for p in scripts.iterdir()) == ["run.py"]


def test_escape_sequences_in_notes_never_reach_the_terminal(notes: Path, tmp_path: Path) -> None:
    (notes / "esc.md").write_text(
        "# What is an escape?\nA title \x1b]0;pwned\x07 and a \x1b[2J cleared screen, "
        "\x9b31m eight-bit too, hidden inside a note about escape sequences.\n",
        encoding="utf-8",
    )
    proc = run_cli("search", "escape sequences note", "--corpus", str(notes), "-k", "2",
                   home=tmp_path / "h", COLUMNS="200")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "What is an escape?" in proc.stdout and "cleared screen" in proc.stdout
    assert not any(c in proc.stdout for c in "\x1b\x07\x9b") and "pwned" not in proc.stdout
    # JSON keeps the data as it is, escaped: nothing raw reaches a terminal either.
    proc = run_cli("search", "escape sequences note", "--corpus", str(notes), "--json",
                   home=tmp_path / "h")  # fmt: skip
    assert proc.returncode == 0 and not any(c in proc.stdout for c in "\x1b\x07\x9b")
    hit = next(h for h in json.loads(proc.stdout) if h["source"] == "esc.md")
    assert "\x1b]0;pwned\x07" in hit["text"] and "\x9b31m" in hit["text"]


@pytest.mark.parametrize(
    "args",
    [
        ["search", "x", "--corpus", "/no/such/dir", "--json"],
        ["search", "--json"],
        ["search", "x", "--mode", "nope", "--json"],
        ["status", "--corpus", "/no/such/dir", "--json"],
        ["report", "--format", "json"],
    ],
)
def test_json_mode_errors_are_json_on_stdout(args: list[str], tmp_path: Path) -> None:
    proc = run_cli(*args, home=tmp_path / "h")
    assert proc.returncode != 0
    error = json.loads(proc.stdout)["error"]
    assert set(error) == {"code", "message"} and error["message"] and "\n" not in error["message"]
    assert error["code"] in {"corpus", "usage", "store"}


def test_fetch_references_exits_non_zero_when_nothing_could_be_fetched(tmp_path: Path) -> None:
    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "n.md").write_text(
        "# What is read?\n- http://0177.0.0.1/a\n- http://[::1/b\n", encoding="utf-8"
    )
    proc = run_cli("fetch-references", "--corpus", str(corpus), "--no-index", home=tmp_path / "h")
    no_traceback(proc)
    assert proc.returncode == 1
    assert "2 links: 0 fetched" in proc.stdout
    assert proc.stderr.splitlines()[-1] == "error: none of the 2 links could be fetched"
    (corpus / "n.md").write_text("# What is read?\nNo links at all.\n", encoding="utf-8")
    proc = run_cli("fetch-references", "--corpus", str(corpus), "--no-index", home=tmp_path / "h")
    assert proc.returncode == 0, proc.stderr
    helptext = run_cli("fetch-references", "--help", home=tmp_path / "h", COLUMNS="200").stdout
    assert "1 when links exist but none could be fetched" in helptext
