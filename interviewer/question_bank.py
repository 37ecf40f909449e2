"""The question bank as it will be asked: one row per question/answer unit, with its
shape, where it is in the notes and how many key points grade it. Backs
``interviewer questions``."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from interviewer.grading import Grader
    from interviewer.grading.models import Question
    from interviewer.settings import Settings


class BankRow(BaseModel):
    id: str
    question: str
    kind: str = Field(description="heading, bold, list, qa, details, table, topic or generated")
    source: str
    heading: str
    line_start: int | None = None
    line_end: int | None = None
    is_stub: bool = False
    key_points: int = 0
    topic: str = ""


class WordingReport(BaseModel):
    worded: int = 0
    rejected: int = 0
    message: str = ""


def open_grader(settings: Settings) -> Grader:
    """A grader for listing the bank: the embedding model is loaded only if the bank
    must be extracted (a cached bank needs only the model's name)."""
    from interviewer.grading import Grader

    if settings.embedding_backend == "ollama":
        return Grader.open(settings, use_llm=False)
    grader = Grader(settings, embedder=LazyEmbedder(settings))
    grader.bank  # noqa: B018 - load now so that corpus errors surface here
    return grader


class LazyEmbedder:
    """The MiniLM embedder, loaded at its first use."""

    def __init__(self, settings: Settings) -> None:
        from interviewer.embeddings import MINILM_NAME

        self.settings = settings
        self.name = MINILM_NAME
        self._real: Any = None

    def _model(self) -> Any:
        if self._real is None:
            from interviewer.embeddings import get_embedder

            self._real = get_embedder(self.settings)
        return self._real

    @property
    def dim(self) -> int:
        return 384 if self._real is None else int(self._real.dim)

    @property
    def loaded(self) -> bool:
        return self._real is not None

    def embed(self, texts: list[str]) -> Any:
        return self._model().embed(texts)

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._model(), attr)


def bank_rows(
    settings: Settings, topics: list[str] | None = None, *, grader: Grader | None = None
) -> list[BankRow]:
    """Every question of the bank (of these topics), in the order of the notes. Raises
    CorpusError when topics were given and none matches."""
    grader = grader or open_grader(settings)
    questions = grader.questions(topics)
    if topics and not questions:
        from interviewer.session import unknown_topic

        raise unknown_topic(topics, [q.topic for q in grader.questions()])
    counts = point_counts(settings, grader, questions)
    return [
        BankRow(
            id=q.id,
            question=q.text,
            kind=q.kind,
            source=q.source,
            heading=q.heading,
            line_start=q.citation.line_start,
            line_end=q.citation.line_end,
            is_stub=q.notes_status != "ok",
            key_points=n,
            topic=q.topic,
        )
        for q, n in zip(questions, counts, strict=True)
    ]


COUNTS_FILE = "bank-point-counts.json"


def point_counts(settings: Settings, grader: Grader, questions: list[Question]) -> list[int]:
    """How many points an answer to each question is graded on, as the grader counts
    them (hedged points left out, near-duplicates once): the number the feedback's
    title and critique give. Kept beside the index, by the question's points."""
    import hashlib
    import json

    from interviewer.files import write_atomic
    from interviewer.grading.coverage import gradable_points
    from interviewer.grading.groups import duplicate_groups

    path = settings.index_dir / COUNTS_FILE
    try:
        known = json.loads(path.read_text(encoding="utf-8"))
        known = known if isinstance(known, dict) else {}
    except (OSError, ValueError):
        known = {}
    out: list[int] = []
    fresh: dict[str, int] = {}
    for q in questions:
        points = gradable_points(q)
        key = hashlib.sha1(
            "\x00".join([q.id, *(f"{kp.id}:{kp.text}" for kp in points)]).encode()
        ).hexdigest()
        n = known.get(key)
        if not isinstance(n, int):
            n = len(duplicate_groups(grader, q.id, points)) if points else 0
        fresh[key] = n
        out.append(n)
    if fresh != {k: known.get(k) for k in fresh}:
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, json.dumps(fresh).encode("utf-8"))
    return out


def word_topics(settings: Settings, *, grader: Grader | None = None) -> WordingReport:
    """Ask the model (Ollama) to word the topic units that have no wording yet."""
    from interviewer.llm import make_llm
    from interviewer.wording import generate

    llm = make_llm(settings.model_copy(update={"use_llm": True}))
    assert llm is not None
    grader = grader or open_grader(settings)
    worded, rejected = generate(settings, llm, grader.extracted().questions)
    message = f"{worded} topic question(s) worded by {settings.model}"
    if rejected:
        message += f", {rejected} wording(s) rejected (kept ours)"
    grader.reload()
    return WordingReport(worded=worded, rejected=rejected, message=message)
