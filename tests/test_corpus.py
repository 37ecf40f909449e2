"""Loading notes: sections, heading paths, line ranges, links, stubs, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.corpus import (
    is_stub_text,
    load_corpus,
    looks_like_question,
    parse_markdown,
    question_text,
)
from interviewer.errors import CorpusError

from .conftest import BUNDLED_CORPUS, SHARED


def test_bundled_notes_sections_have_paths_lines_and_links() -> None:
    result = load_corpus(BUNDLED_CORPUS)
    assert result.problems == []
    [doc] = result.documents
    assert doc.title == "Answering typical ML interview questions."
    assert "interview" in doc.tags
    by_heading = {s.heading: s for s in doc.sections}
    final = by_heading["How to check overfitting? How to deal with it? > My final answer:"]
    lines = (BUNDLED_CORPUS / doc.source).read_text(encoding="utf-8").split("\n")
    assert lines[final.line_start - 1].startswith("## My final answer")
    assert "Early stopping" in final.text
    assert any("Bias%E2%80%93variance" in link.url for link in final.links)
    # Every section's range starts at its heading line.
    for s in doc.sections:
        if s.level:
            assert lines[s.line_start - 1].lstrip("#").strip() == s.heading_path[-1]
            assert s.line_end >= s.line_start


def test_stubs_and_spanish_reminders_are_marked() -> None:
    [doc] = load_corpus(BUNDLED_CORPUS).documents
    by_title = {s.title: s for s in doc.sections}
    pca = by_title["Explain PCA intuitively. When is it useful?"]
    assert pca.is_stub and pca.is_question
    assert pca.todo_lines == ["entender la idea básica"]
    assert not by_title["How does SGD / Adam / etc work?"].is_stub
    assert by_title["Explain Bayes’ Rule"].is_stub


def test_question_detection() -> None:
    assert looks_like_question("How to split a tree?")
    assert looks_like_question("Explain Transposed convolutions.")
    assert looks_like_question(
        "1) What's the trade-off between bias and variance? [[src](http://x)]"
    )
    assert not looks_like_question("My final answer:")
    assert not looks_like_question("Other resources:")
    assert (
        question_text("3) Explain over-fitting? [[src](http://a.b/c)]") == "Explain over-fitting?"
    )


def test_stub_text_heuristic() -> None:
    assert is_stub_text("")
    assert is_stub_text("TODO: write this\nhttps://example.com/page")
    assert is_stub_text("entender la idea básica")
    assert not is_stub_text(
        "Bagging trains many models on bootstrap samples and averages them to reduce variance."
    )


def test_front_matter_broken_and_nested_headings(tmp_path: Path) -> None:
    text = "---\ntitle: [unclosed\n---\n# A\nbody a\n## B\nbody b\n### C?\n# D\n"
    meta, sections, problem = parse_markdown("x.md", text)
    assert meta == {} and problem and "front matter" in problem
    assert [s.heading for s in sections] == ["A", "A > B", "A > B > C?", "D"]
    assert [(s.line_start, s.line_end) for s in sections] == [(4, 5), (6, 7), (8, 8), (9, 9)]


def test_code_fences_do_not_make_headings() -> None:
    _, sections, _ = parse_markdown("x.md", "# Real\n```\n# not a heading\n```\n")
    assert [s.heading for s in sections] == ["Real"]


def test_bad_files_are_reported_and_the_rest_loads(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text("# What is bagging?\nBootstrap aggregation of many models.\n")
    (tmp_path / "latin1.md").write_bytes("# Qué es\nañadir información\n".encode("latin-1"))
    (tmp_path / "binary.md").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "empty.md").write_text("")
    (tmp_path / "big.md").write_text("# Big\n" + "word " * 300_000)
    (tmp_path / "notes.txt").write_text("Plain text notes about gradient clipping and norms.\n")
    result = load_corpus(tmp_path, max_bytes=1_000_000)
    assert sorted(d.source for d in result.documents) == ["good.md", "notes.txt"]
    problems = {p.source: p.message for p in result.problems}
    assert "not valid UTF-8" in problems["latin1.md"]
    assert "binary" in problems["binary.md"]
    assert "empty" in problems["empty.md"]
    assert "limit" in problems["big.md"]
    assert all("\n" not in m for m in problems.values())


def test_missing_corpus_dir_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nope")


@pytest.mark.skipif(not (SHARED / "corpora").is_dir(), reason="shared corpora not present")
def test_other_style_notes_numbered_questions(tmp_path: Path) -> None:
    import shutil

    shutil.copy(SHARED / "corpora" / "mlquestions-65.md", tmp_path / "mlq.md")
    [doc] = load_corpus(tmp_path).documents
    questions = [s for s in doc.sections if s.is_question and s.level == 4]
    assert len(questions) == 65
    assert question_text(questions[0].title) == "What's the trade-off between bias and variance?"


def test_heading_with_notes_in_subsections_is_not_a_stub() -> None:
    _, sections, _ = parse_markdown(
        "x.md",
        "# How to check overfitting?\n## My answer\n"
        "Compare training and validation error; a growing gap means the model memorises.\n"
        "# Explain PCA\nentender la idea básica\n",
    )
    by_title = {s.title: s for s in sections}
    assert not by_title["How to check overfitting?"].is_stub
    assert by_title["Explain PCA"].is_stub


def test_question_text_unwraps_quotes_only_when_they_enclose_it() -> None:
    from interviewer.corpus import question_text

    assert question_text("“how would you explain a p-value?”") == "how would you explain a p-value?"
    assert question_text('"What is bagging?"') == "What is bagging?"
    # Two quoted alternatives: stripping the ends would leave 'list” or ”invert'.
    both = "“reverse a linked list” or ”invert a binary tree”"
    assert question_text(both) == both


def test_headings_lose_link_markup_but_keep_their_links() -> None:
    _, sections, _ = parse_markdown(
        "x.md",
        "#### 1) What is bagging? [[src](http://a.example/q)]\nBootstrap samples, averaged.\n"
        "## See [the paper](https://b.example/p) on boosting\ntext\n",
    )
    assert sections[0].title == "1) What is bagging?"
    assert [link.url for link in sections[0].links] == ["http://a.example/q"]
    assert sections[1].title == "See the paper on boosting"
    assert sections[1].links[0].url == "https://b.example/p"
