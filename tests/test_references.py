"""Reference fetching against a local web site (tests/web_server.py): extraction of
HTML and PDF, failures recorded with their reason and retried, the private-address
guard, the cache read back as documents, and search returning reference chunks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interviewer.cli import app
from interviewer.references import (
    fetch_references,
    load_cached_references,
    read_failures,
    read_records,
    reference_id,
    split_reference_text,
)
from interviewer.settings import load_settings
from interviewer.web import address_problem, canonical_url
from tests.web_server import (
    ARTICLE_FACT,
    BIAS_FACT,
    BOILERPLATE,
    LATIN1_TEXT,
    PDF_LINES,
    WebServer,
)

PATHS = [
    "/article.html", "/plain.html", "/paper.pdf", "/latin1.html", "/redirect", "/loop",
    "/to-file", "/missing", "/image.png", "/slow", "/huge", "/huge-chunked",
]  # fmt: skip


def write_note(corpus: Path, server: WebServer, paths: list[str]) -> Path:
    corpus.mkdir(parents=True, exist_ok=True)
    lines = ["# Why does momentum help SGD?", "", "Momentum damps oscillations.", ""]
    lines += [f"See [{p}]({server.url(p)})." for p in paths[:1]]
    lines += ["", "## Further reading", ""]
    lines += [f"- {server.url(p)}" for p in paths[1:]]
    note = corpus / "note.md"
    note.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return note


def cached_text(corpus: Path, url: str) -> str:
    return (corpus / "references" / f"{reference_id(url)}.txt").read_text(encoding="utf-8")


@pytest.fixture
def local_fetch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Permit loopback (the test site) and keep timeouts short for the slow page."""
    monkeypatch.setenv("INTERVIEWER_ALLOW_PRIVATE_URLS", "1")
    monkeypatch.setenv("INTERVIEWER_FETCH_TIMEOUT_S", "0.5")
    monkeypatch.setenv("INTERVIEWER_CONNECT_TIMEOUT_S", "0.5")


def test_fetch_extracts_pages_and_records_failures(
    tmp_path: Path, web_server: WebServer, local_fetch: None
) -> None:
    corpus = tmp_path / "corpus"
    write_note(corpus, web_server, PATHS)
    settings = load_settings(corpus=corpus)

    report = fetch_references(settings)

    by_path = {o.url.rsplit("/", 1)[-1]: o for o in report.outcomes}
    assert report.links == len(PATHS)
    fetched = {"article.html", "plain.html", "paper.pdf", "latin1.html", "redirect"}
    assert {p for p, o in by_path.items() if o.outcome == "fetched"} == fetched
    reasons = {p: o.reason or "" for p, o in by_path.items() if o.outcome == "failed"}
    assert "HTTP 404" in reasons["missing"]
    assert "redirects" in reasons["loop"]
    assert "only http and https" in reasons["to-file"]
    assert "image/png" in reasons["image.png"]
    assert "longer than" in reasons["slow"]
    assert "MB limit" in reasons["huge"] and "MB limit" in reasons["huge-chunked"]

    records = read_records(corpus)
    article = records[web_server.url("/article.html")]
    text = cached_text(corpus, article.url)
    assert ARTICLE_FACT in text and BIAS_FACT in text
    for junk in BOILERPLATE:
        assert junk not in text
    assert article.title == "Quokka optimisation"
    assert article.status == 200 and article.content_type == "text/html"
    assert article.citing[0].source == "note.md"
    assert article.citing[0].heading == "Why does momentum help SGD?"
    assert article.citing[0].line == 5

    redirected = records[web_server.url("/redirect")]
    assert redirected.final_url == web_server.url("/article.html")
    pdf_text = cached_text(corpus, web_server.url("/paper.pdf"))
    assert PDF_LINES[1] in pdf_text and "## Page 2" in pdf_text
    assert LATIN1_TEXT in cached_text(corpus, web_server.url("/latin1.html"))

    failures = read_failures(corpus)
    assert failures[web_server.url("/missing")].status == 404
    assert failures[web_server.url("/missing")].attempts == 1
    assert all(r.error and r.error_at for r in failures.values())
    agents = {h.get("User-Agent", "") for _, h in web_server.requests}
    assert all(a.startswith("interviewer/") for a in agents)

    # A second run fetches nothing that is cached and retries what failed.
    article_hits = web_server.hits("/article.html")
    web_server.pages["/missing"] = web_server.pages["/article.html"]
    again = fetch_references(settings)
    assert web_server.hits("/article.html") == article_hits
    assert again.cached == len(fetched)
    assert {o.url for o in again.outcomes if o.outcome == "fetched"} == {
        web_server.url("/missing")
    }
    assert web_server.url("/missing") not in read_failures(corpus)
    assert read_failures(corpus)[web_server.url("/loop")].attempts == 2


def test_refresh_keeps_old_text_when_the_page_breaks(
    tmp_path: Path, web_server: WebServer, local_fetch: None
) -> None:
    corpus = tmp_path / "corpus"
    write_note(corpus, web_server, ["/article.html"])
    settings = load_settings(corpus=corpus)
    assert fetch_references(settings).fetched == 1
    del web_server.pages["/article.html"]

    report = fetch_references(settings, refresh=True)

    assert [o.outcome for o in report.outcomes] == ["stale"]
    assert "HTTP 404" in (report.outcomes[0].reason or "")
    docs = load_cached_references(corpus)
    assert len(docs) == 1 and ARTICLE_FACT in " ".join(s.text for s in docs[0].sections)


def test_links_no_longer_cited_are_dropped(
    tmp_path: Path, web_server: WebServer, local_fetch: None
) -> None:
    corpus = tmp_path / "corpus"
    note = write_note(corpus, web_server, ["/article.html", "/paper.pdf"])
    settings = load_settings(corpus=corpus)
    fetch_references(settings)
    note.write_text(f"# Notes\n\nOnly {web_server.url('/paper.pdf')} now.\n", encoding="utf-8")

    report = fetch_references(settings)

    assert report.pruned == 1
    assert list(read_records(corpus)) == [web_server.url("/paper.pdf")]
    gone = reference_id(web_server.url("/article.html"))
    assert not (corpus / "references" / f"{gone}.txt").exists()


def test_cached_references_become_documents(
    tmp_path: Path, web_server: WebServer, local_fetch: None
) -> None:
    corpus = tmp_path / "corpus"
    write_note(corpus, web_server, ["/article.html", "/plain.html"])
    fetch_references(load_settings(corpus=corpus))

    docs = {d.metadata["url"]: d for d in load_cached_references(corpus)}

    article = docs[web_server.url("/article.html")]
    assert article.kind == "reference"
    assert article.source == f"references/{reference_id(web_server.url('/article.html'))}.txt"
    for value in article.metadata.values():
        assert isinstance(value, str | int | float | bool)
    citing = json.loads(article.metadata["citing_sections"])
    assert citing == ["note.md § Why does momentum help SGD?"]
    paths = [s.heading_path for s in article.sections]
    assert ["Quokka optimisation", "Momentum"] in paths
    assert ["Quokka optimisation", "Bias"] in paths
    bias = next(s for s in article.sections if s.heading_path[-1] == "Bias")
    assert BIAS_FACT in bias.text
    lines = (corpus / article.source).read_text(encoding="utf-8").split("\n")
    assert lines[bias.line_start - 1] == "## Bias"
    assert not any(s.is_question or s.is_stub or s.links for s in article.sections)

    # A page without headings is cut into parts, each within a few paragraphs.
    plain = docs[web_server.url("/plain.html")]
    assert len(plain.sections) > 1
    assert all(s.heading_path[1:] and s.heading_path[1].startswith("part ") for s in plain.sections)
    assert all(len(s.text) < 3000 for s in plain.sections)


def test_split_keeps_code_fences_whole() -> None:
    text = "Intro line.\n\n## Setup\n\n```\n# not a heading\nx = 1\n```\n\n## Use\n\nCall it.\n"
    sections = split_reference_text("references/x.txt", "Page", text)
    assert [s.heading_path for s in sections] == [["Page"], ["Page", "Setup"], ["Page", "Use"]]
    assert "# not a heading" in sections[1].text


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("127.0.0.1", "loopback"), ("::1", "loopback"), ("10.0.0.7", "private"),
        ("192.168.1.1", "private"), ("172.16.0.1", "private"), ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"), ("0.0.0.0", "reserved"), ("::ffff:127.0.0.1", "loopback"),
        ("100.64.0.1", "private"), ("fc00::1", "private"),
    ],
)  # fmt: skip
def test_non_public_addresses_are_named(address: str, problem: str) -> None:
    assert problem in (address_problem(address) or "")


def test_public_addresses_pass() -> None:
    assert address_problem("8.8.8.8") is None
    assert address_problem("2606:4700:4700::1111") is None


def test_private_addresses_are_refused_without_the_test_flag(
    tmp_path: Path, web_server: WebServer
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "note.md").write_text(
        "# Links\n\n"
        f"- {web_server.url('/article.html')}\n"
        f"- http://localhost:{web_server.port}/paper.pdf\n"
        f"- [over IPv6](http://[::1]:{web_server.port}/article.html)\n"
        "- http://169.254.169.254/latest/meta-data\n"
        "- http://10.20.30.40/internal\n",
        encoding="utf-8",
    )
    report = fetch_references(load_settings(corpus=corpus))

    assert report.failed == 5
    assert all((o.reason or "").startswith("refused:") for o in report.outcomes)
    assert web_server.requests == []  # nothing was even connected to


def test_unresolvable_hosts_fail_fast_and_indexing_still_works(tmp_path: Path) -> None:
    """What happens offline: every link is recorded as not fetched, with the reason."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    links = "\n".join(f"- https://host{i}.invalid/page{i}" for i in range(12))
    links += "\n- a broken one: http://[fe80::1/x"
    (corpus / "note.md").write_text(
        f"# What is dropout?\n\nDropout zeroes random activations during training.\n\n{links}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["fetch-references", "--corpus", str(corpus), "--json"])

    # Every link failed: the JSON report still comes, and the exit status says so.
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["links"] == 13 and data["failed"] == 13
    reasons = sorted(o["reason"] for o in data["outcomes"])
    assert reasons[0].startswith("could not resolve host host0.invalid")
    assert sum("could not resolve host" in r for r in reasons) == 12
    assert any(r.startswith("invalid URL") for r in reasons)
    assert len(read_failures(corpus)) == 13
    assert data["index"]["total_files"] == 1


def test_search_returns_reference_chunks_with_url_and_citing_section(
    tmp_path: Path, web_server: WebServer, local_fetch: None
) -> None:
    corpus = tmp_path / "corpus"
    write_note(corpus, web_server, ["/article.html", "/paper.pdf"])
    runner = CliRunner()
    fetched = runner.invoke(app, ["fetch-references", "--corpus", str(corpus), "--json"])
    assert fetched.exit_code == 0, fetched.output
    assert json.loads(fetched.stdout)["fetched"] == 2

    def search(query: str) -> list[dict[str, object]]:
        result = runner.invoke(app, ["search", query, "--corpus", str(corpus), "--json"])
        assert result.exit_code == 0, result.output
        return list(json.loads(result.stdout))

    hits = search("quokka gradient theorem oscillation ravines")

    top = hits[0]
    assert top["kind"] == "reference"
    assert top["url"] == web_server.url("/article.html")
    assert top["citing_sections"] == ["note.md § Why does momentum help SGD?"]
    assert "quokka gradient theorem" in str(top["text"])

    pdf_hits = [h for h in search("Frobenius norm square root sum") if h["kind"] == "reference"]
    assert pdf_hits[0]["url"] == web_server.url("/paper.pdf")
    assert pdf_hits[0]["citing_sections"] == [
        "note.md § Why does momentum help SGD? > Further reading"
    ]


def test_canonical_url_drops_the_fragment() -> None:
    url = " https://e.org/wiki/Chain_rule#Intuitive "
    assert canonical_url(url) == "https://e.org/wiki/Chain_rule"
