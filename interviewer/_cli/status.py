"""`interviewer status`: where things are and what the index holds."""

from __future__ import annotations

from interviewer._cli.common import (
    ChromaHostOpt,
    ChromaPortOpt,
    CorpusOpt,
    JsonOpt,
    out_console,
    print_json,
    settings_from,
)


def status(
    corpus: CorpusOpt = None,
    json_out: JsonOpt = False,
    chroma_host: ChromaHostOpt = None,
    chroma_port: ChromaPortOpt = None,
) -> None:
    """Show the corpus dir, data dir, index counts, embedding model and store mode."""
    from interviewer._cli.checks import check_corpus
    from interviewer.embeddings import MINILM_NAME
    from interviewer.index import bank_questions, index_status

    settings = settings_from(corpus, chroma_host, chroma_port)
    check_corpus(settings, corpus)
    st = index_status(settings)
    bank = bank_questions(settings)
    message = st.message
    if not st.present and bank is not None and "no index yet" in message:
        # What an interview or `grade` built: the question bank, not the search index.
        message = (
            f"no search index yet (the question bank of {bank} questions is ready); "
            "the first `interviewer search` or `interviewer index` builds it"
        )
    embedder = (
        MINILM_NAME
        if settings.embedding_backend == "onnx"
        else f"ollama:{settings.ollama_embedding_model}"
    )
    data = {
        "corpus_dir": str(settings.corpus_dir),
        "data_dir": str(settings.home),
        "index_dir": str(settings.index_dir),
        "store_mode": settings.store_mode,
        "embedding_model": st.embedder or embedder,
        "index_present": st.present,
        "index_current": st.current,
        "files": st.files,
        "references": st.references,
        "sections": st.sections,
        "chunks": st.chunks,
        "store_ok": st.store_ok,
        "stale_files": st.stale_files,
        "question_bank": bank,
        "message": message,
    }
    if json_out:
        print_json(data)
        return
    console = out_console()
    width = max(len(k) for k in data)
    for key, value in data.items():
        if key == "stale_files" and not value:
            continue
        console.print(f"{key.replace('_', ' '):<{width}}  {value}", markup=False, highlight=False)
