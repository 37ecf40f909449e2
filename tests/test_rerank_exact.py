"""The exact-match rule (a query term that only one section holds puts BM25's best
chunk first) trusts such a term only when no other section holds a query term of its
own: then the rare words are incidental vocabulary, and rank fusion decides."""

from __future__ import annotations

from pathlib import Path

NOTES = """# Incident reviews

## Incident 1: billing timed out

During case 3007 the billing service timed out for many users after a deploy. We
rolled back and added an alert on billing latency.

## Incident 2: login returned errors

The login service returned errors for many users after a deploy because a kerberos
ticket had expired. We rolled back and renewed the tickets.

## Incident 3: search was slow

The search service was slow for many users after a deploy. We rolled back and added
an alert on search latency.
"""


def test_exact_match_holds_only_when_no_other_section_has_a_term_of_its_own(
    tmp_path: Path,
) -> None:
    from interviewer.retrieval import open_retriever
    from interviewer.settings import load_settings

    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "incidents.md").write_text(NOTES, encoding="utf-8")
    retriever = open_retriever(load_settings(corpus=corpus))

    def exact_heading(query: str) -> str | None:
        found = retriever.signals(query, 30).exact
        return None if found is None else retriever.chunks[found[0]].heading

    # One section alone holds "3007": the rule names it.
    assert exact_heading("what went wrong in case 3007") == (
        "Incident reviews > Incident 1: billing timed out"
    )
    # "kerberos" is as rare, in another section: neither word decides.
    assert exact_heading("case 3007 after the kerberos deploy") is None
    # Words every section shares never trigger it.
    assert exact_heading("the service after a deploy") is None
