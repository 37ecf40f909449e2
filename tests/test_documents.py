"""`interviewer add` / `remove`: conversion of HTML and PDF, all-or-nothing adds with
clear messages, the user corpus that protects the bundled one, and someone else's
notes (tests/../shared/corpora/mlquestions-65.md) made searchable."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interviewer.cli import app
from interviewer.corpus import load_corpus, question_text
from interviewer.documents import (
    MARKER,
    add_documents,
    ensure_writable_corpus,
    needs_user_corpus,
    remove_document,
)
from interviewer.errors import CorpusError
from interviewer.references import read_records
from interviewer.settings import bundled_corpus_dir, load_settings
from tests.conftest import REPO, SHARED
from tests.web_server import ARTICLE_FACT, BOILERPLATE, PDF_LINES, WebServer, minimal_pdf

MLQUESTIONS = SHARED / "corpora" / "mlquestions-65.md"


def tree(root: Path) -> dict[str, str]:
    """Every file under root with its hash: to prove that nothing changed."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "existing.md").write_text(
        "# What is dropout?\n\nDropout zeroes random activations while training, which "
        "keeps units from co-adapting and acts like an ensemble.\n",
        encoding="utf-8",
    )
    return root


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    src = tmp_path / "inbox"
    src.mkdir()
    return src


def test_add_copies_notes_and_converts_html_and_pdf(corpus: Path, inbox: Path) -> None:
    (inbox / "knn.md").write_text(
        "# How does k-NN classify a point?\n\nIt votes among the k closest training points "
        "under a distance metric chosen for the features.\n",
        encoding="utf-8",
    )
    (inbox / "plain.txt").write_text("Gradient clipping caps the norm of updates.\n", "utf-8")
    from tests.web_server import default_pages

    (inbox / "page.html").write_bytes(default_pages()["/article.html"].body)
    (inbox / "norms.pdf").write_bytes(minimal_pdf([PDF_LINES], title="Matrix norms"))
    settings = load_settings(corpus=corpus)

    written, report = add_documents(
        settings, [str(inbox / n) for n in ("knn.md", "plain.txt", "page.html", "norms.pdf")]
    )

    assert written.corpus_dir == corpus and not report.user_corpus_created
    assert [i.source for i in report.items] == ["knn.md", "plain.txt", "page.md", "norms.md"]
    assert (corpus / "knn.md").read_bytes() == (inbox / "knn.md").read_bytes()
    page = (corpus / "page.md").read_text(encoding="utf-8")
    assert page.startswith("---\ntitle: Quokka optimisation\n")
    assert ARTICLE_FACT in page and not any(junk in page for junk in BOILERPLATE)
    docs = {d.source: d for d in load_corpus(corpus).documents}
    assert docs["page.md"].title == "Quokka optimisation"
    assert any(s.heading_path[-1] == "Momentum" for s in docs["page.md"].sections)
    page1 = next(s for s in docs["norms.md"].sections if s.heading_path[-1] == "Page 1")
    assert page1.heading_path == ["Matrix norms", "Page 1"]
    assert PDF_LINES[1] in page1.text
    assert not list(corpus.glob(".*.tmp"))


def test_adding_the_same_file_twice_is_unchanged(corpus: Path, inbox: Path) -> None:
    note = inbox / "existing.md"
    note.write_bytes((corpus / "existing.md").read_bytes())
    _, report = add_documents(load_settings(corpus=corpus), [str(note)])
    assert report.items[0].action == "unchanged"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("existing.md", b"# Other\n\nDifferent text about other things entirely here.\n",
         "existing.md already exists in the corpus with other content"),
        ("slides.docx", b"PK\x03\x04", "unsupported file type '.docx'"),
        ("latin1.md", "# Caf\u00e9\n\nr\u00e9sum\u00e9 du mod\u00e8le\n".encode("latin-1"),
         "not valid UTF-8 (byte 0xe9 at line 1)"),
        ("empty.md", b"\n\n", "the file is empty"),
        ("broken.pdf", b"%PDF-1.4\nthis is not really a pdf", "not a readable PDF"),
    ],
)  # fmt: skip
def test_a_bad_input_adds_nothing(
    corpus: Path, inbox: Path, name: str, content: bytes, message: str
) -> None:
    good = inbox / "good.md"
    good.write_text("# Why normalise inputs?\n\nSo gradient steps are balanced.\n", "utf-8")
    (inbox / name).write_bytes(content)
    before = tree(corpus)

    with pytest.raises(CorpusError) as err:
        add_documents(load_settings(corpus=corpus), [str(good), str(inbox / name)])

    assert message in str(err.value)
    assert str(err.value).startswith("nothing added: ")
    assert "\n" not in str(err.value)
    assert tree(corpus) == before


def test_missing_files_and_directories_and_odd_urls(corpus: Path, inbox: Path) -> None:
    settings = load_settings(corpus=corpus)
    with pytest.raises(CorpusError, match="no such file"):
        add_documents(settings, [str(inbox / "nope.md")])
    with pytest.raises(CorpusError, match="is a directory"):
        add_documents(settings, [str(inbox)])
    with pytest.raises(CorpusError, match="only http and https URLs"):
        add_documents(settings, ["file:///etc/passwd"])


def test_two_inputs_with_the_same_name_collide(corpus: Path, inbox: Path) -> None:
    (inbox / "a").mkdir()
    (inbox / "b").mkdir()
    for d in ("a", "b"):
        (inbox / d / "svm.md").write_text(f"# SVM {d}\n\nMargins and kernels {d}.\n", "utf-8")
    with pytest.raises(CorpusError, match="same name svm.md"):
        add_documents(
            load_settings(corpus=corpus), [str(inbox / "a/svm.md"), str(inbox / "b/svm.md")]
        )
    assert not (corpus / "svm.md").exists()


def test_add_url_fetches_into_the_reference_cache(
    corpus: Path, web_server: WebServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERVIEWER_ALLOW_PRIVATE_URLS", "1")
    settings = load_settings(corpus=corpus)
    _, report = add_documents(settings, [web_server.url("/article.html#Momentum")])
    item = report.items[0]
    assert item.kind == "reference" and item.url == web_server.url("/article.html")
    record = read_records(corpus)[web_server.url("/article.html")]
    assert record.added_by_user and record.citing == []
    assert ARTICLE_FACT in (corpus / item.source).read_text(encoding="utf-8")

    with pytest.raises(CorpusError, match="HTTP 404"):
        add_documents(settings, [web_server.url("/missing")])

    # Removing it by URL takes it out of the cache.
    _, removed = remove_document(settings, web_server.url("/article.html"))
    assert removed.kind == "reference" and read_records(corpus) == {}


def test_add_url_refuses_loopback_without_the_test_flag(
    corpus: Path, web_server: WebServer
) -> None:
    with pytest.raises(CorpusError, match="refused: 127.0.0.1 is a loopback address"):
        add_documents(load_settings(corpus=corpus), [web_server.url("/article.html")])
    assert web_server.requests == []


def test_first_add_to_the_bundled_corpus_creates_a_user_corpus(home: Path, inbox: Path) -> None:
    bundled = bundled_corpus_dir()
    before = tree(bundled)
    settings = load_settings()
    assert settings.corpus_dir == bundled and needs_user_corpus(settings)
    note = inbox / "gan.md"
    note.write_text("# What is a GAN?\n\nA generator and a discriminator play a game.\n", "utf-8")

    written, report = add_documents(settings, [str(note)])

    user = home / "corpus"
    assert report.user_corpus_created and written.corpus_dir == user
    assert (user / MARKER).is_file() and (user / "gan.md").is_file()
    assert (user / "notes" / "ml-interview-notes.md").read_bytes() == (
        bundled / "notes" / "ml-interview-notes.md"
    ).read_bytes()
    assert tree(bundled) == before
    # From now on the user corpus is the default, and it is written in place.
    again = load_settings()
    assert again.corpus_dir == user and not needs_user_corpus(again)
    assert ensure_writable_corpus(again) == (again, False)


def test_an_unrelated_folder_where_the_user_corpus_goes_is_not_touched(home: Path) -> None:
    (home / "corpus").mkdir()
    (home / "corpus" / "mine.txt").write_text("keep me", "utf-8")
    with pytest.raises(CorpusError, match="is not an interviewer corpus"):
        ensure_writable_corpus(load_settings())
    assert (home / "corpus" / "mine.txt").read_text("utf-8") == "keep me"


def test_remove_moves_the_note_out_and_refuses_outside_paths(
    corpus: Path, tmp_path: Path, home: Path
) -> None:
    settings = load_settings(corpus=corpus)
    outside = tmp_path / "outside.md"
    outside.write_text("# Outside\n\ntext\n", "utf-8")
    with pytest.raises(CorpusError, match="is outside the corpus"):
        remove_document(settings, str(outside))
    with pytest.raises(CorpusError, match="is outside the corpus"):
        remove_document(settings, "../outside.md")
    with pytest.raises(CorpusError, match="no such document"):
        remove_document(settings, "nope.md")

    _, report = remove_document(settings, "existing.md")

    assert not (corpus / "existing.md").exists()
    assert report.kept_copy
    assert Path(report.kept_copy).read_text("utf-8").startswith("# What is dropout?")
    assert Path(report.kept_copy).is_relative_to(home / "removed")


def test_cli_errors_are_one_line(corpus: Path, inbox: Path) -> None:
    (inbox / "existing.md").write_text("# Something else\n\nother\n", "utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "interviewer", "add", str(inbox / "existing.md"),
         "--corpus", str(corpus)],
        capture_output=True, text=True, cwd=REPO, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0
    assert "already exists in the corpus" in proc.stderr
    assert proc.stdout == ""


def test_add_and_remove_update_the_index(corpus: Path, inbox: Path) -> None:
    """mlquestions-65.md (someone else's notes: numbered #### questions, [[src]] links),
    read from shared/ and never copied into the project, becomes searchable."""
    runner = CliRunner()
    result = runner.invoke(app, ["add", str(MLQUESTIONS), "--corpus", str(corpus), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["items"][0]["source"] == "mlquestions-65.md"
    assert "mlquestions-65.md" in data["index"]["files_added"]

    doc = next(d for d in load_corpus(corpus).documents if d.source == "mlquestions-65.md")
    numbered = [s for s in doc.sections if s.level == 4 and re.match(r"\d+\)", s.heading_path[-1])]
    assert len(numbered) == 65
    assert all(s.is_question for s in numbered)
    first = question_text(numbered[0].heading_path[-1])
    assert first == "What's the trade-off between bias and variance?"

    def top_source(query: str) -> tuple[str, str]:
        out = runner.invoke(app, ["search", query, "--corpus", str(corpus), "--json", "-k", "3"])
        assert out.exit_code == 0, out.output
        hit = json.loads(out.stdout)[0]
        return hit["source"], hit["heading"]

    for section in numbered[::8]:
        source, heading = top_source(question_text(section.heading_path[-1]))
        assert source == "mlquestions-65.md", (section.heading_path[-1], heading)

    removed = runner.invoke(app, ["remove", "mlquestions-65.md", "--corpus", str(corpus), "--json"])
    assert removed.exit_code == 0, removed.output
    assert "mlquestions-65.md" in json.loads(removed.stdout)["index"]["files_removed"]
    assert top_source("trade-off between bias and variance")[0] == "existing.md"


def test_wiki_style_src_links_are_collected() -> None:
    docs = load_corpus(MLQUESTIONS.parent).documents  # other files sit beside it
    doc = next(d for d in docs if d.source == MLQUESTIONS.name)
    urls = {link.url for s in doc.sections for link in s.links}
    answer = "https://towardsdatascience.com/understanding-the-bias-variance-tradeoff-165e6942b229"
    assert answer in urls  # written [[src]](url) in the file


def test_unexpected_os_errors_are_one_line_too(inbox: Path, tmp_path: Path) -> None:
    """A data dir that cannot be written (here a file stands where it should be) makes
    `add` fail on one line naming the path, not with a traceback."""
    import os

    blocker = tmp_path / "home-is-a-file"
    blocker.write_text("", encoding="utf-8")
    note = inbox / "gan.md"
    note.write_text("# What is a GAN?\n\nA generator and a discriminator play a game.\n", "utf-8")
    env = {**os.environ, "INTERVIEWER_HOME": str(blocker)}
    proc = subprocess.run(
        [sys.executable, "-m", "interviewer", "add", str(note)],
        capture_output=True, text=True, cwd=REPO, timeout=60, env=env,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.strip().count("\n") == 0
    assert proc.stderr.startswith("error: ") and str(blocker) in proc.stderr


# ---- add keeps structure ------------------------------------------------------------


def test_add_html_keeps_headings_and_link_urls(corpus: Path, inbox: Path) -> None:
    (inbox / "os.html").write_bytes(
        b"<html><head><title>OS notes</title></head><body><nav>Home | About</nav>"
        b"<div><h2>Processes</h2><div><p>A process runs a program in its own "
        b'<a href="https://en.wikipedia.org/wiki/Address_space">address space</a>, '
        b"with its own open files and memory mappings.</p></div>"
        b"<h2>What is a context switch?</h2><div><p>Saving the registers of the running "
        b"task and restoring another's, so that one CPU can run many tasks in turn.</p>"
        b"</div></div><footer>Copyright</footer></body></html>"
    )
    add_documents(load_settings(corpus=corpus), [str(inbox / "os.html")])
    text = (corpus / "os.md").read_text(encoding="utf-8")
    assert "## Processes" in text and "## What is a context switch?" in text
    assert "[address space](https://en.wikipedia.org/wiki/Address_space)" in text
    doc = next(d for d in load_corpus(corpus).documents if d.source == "os.md")
    kinds = {s.heading_path[-1]: s.unit_kind for s in doc.sections}
    assert kinds["What is a context switch?"] == "heading"
    assert kinds["Processes"] == "topic"
    assert any(link.url.endswith("/Address_space") for s in doc.sections for link in s.links)


def test_add_text_file_reads_its_own_structure(corpus: Path, inbox: Path) -> None:
    (inbox / "sql.txt").write_text(
        "SQL notes\n\n"
        "Indexes\n"
        "A B-tree index lets the database find rows by key without reading the whole\n"
        "table, at the cost of slower writes and more storage.\n\n"
        "What does GROUP BY do?\n"
        "It folds the rows that share the grouped columns into one row per group, so\n"
        "that aggregates such as COUNT and SUM are computed per group.\n\n"
        "Q: When is a query plan's sequential scan the right choice?\n"
        "A: When the table is small or most of its rows match, reading it in order\n"
        "beats jumping through an index.\n",
        encoding="utf-8",
    )
    add_documents(load_settings(corpus=corpus), [str(inbox / "sql.txt")])
    doc = next(d for d in load_corpus(corpus).documents if d.source == "sql.txt")
    units = [(s.unit_kind, s.question, s.line_start) for s in doc.sections if s.unit_kind]
    assert units == [
        ("topic", "What are indexes, and when would you use them?", 3),
        ("heading", "What does GROUP BY do?", 7),
        ("qa", "When is a query plan's sequential scan the right choice?", 11),
    ]
    # The document is not one section named after the file.
    assert len(doc.sections) > 1


def test_pdf_outline_gives_headings(corpus: Path, inbox: Path) -> None:
    import io

    from pypdf import PdfReader, PdfWriter

    raw = minimal_pdf(
        [
            ["Virtual memory", "Each process sees its own address space mapped to frames."],
            ["Page faults", "A fault loads the missing page from disk and retries the access."],
        ],
        title="Memory",
    )
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(raw)))
    writer.add_outline_item(title="Virtual memory", page_number=0)
    writer.add_outline_item(title="Page faults", page_number=1)
    buf = io.BytesIO()
    writer.write(buf)
    (inbox / "memory.pdf").write_bytes(buf.getvalue())
    add_documents(load_settings(corpus=corpus), [str(inbox / "memory.pdf")])
    doc = next(d for d in load_corpus(corpus).documents if d.source == "memory.md")
    headings = [s.heading_path[-1] for s in doc.sections]
    assert "Virtual memory" in headings and "Page faults" in headings
    assert not any(h.startswith("Page 1") for h in headings)


def test_added_notes_are_readable_like_any_file_the_user_writes(
    corpus: Path, inbox: Path
) -> None:
    import os

    (inbox / "knn.md").write_text("# What is k-NN?\n\nA vote among the k nearest points.\n")
    (inbox / "page.html").write_text("<h1>Boosting</h1><h2>What is boosting?</h2><p>Trees.</p>")
    old = os.umask(0o022)
    try:
        inputs = [str(inbox / "knn.md"), str(inbox / "page.html")]
        add_documents(load_settings(corpus=corpus), inputs)
    finally:
        os.umask(old)
    for name in ("knn.md", "page.md"):
        assert (corpus / name).stat().st_mode & 0o777 == 0o644, name
    assert (corpus / "page.md").read_text(encoding="utf-8").endswith("\n")
