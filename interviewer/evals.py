"""Eval harness: rubric fixtures (YAML), scorers that check a grade (``Feedback``)
against them, runs that grade every fixture through the same ``Grader`` as
``interviewer grade``, metrics, re-scoring of stored feedback and run comparison.

Scorers are small callables (``Scorer`` protocol) that turn one fixture and one
feedback into checks; metrics are computed from the checks only, so re-scoring a
results file reproduces the metrics of the run that wrote it. Rendering for people
lives in ``evals_report``."""

from __future__ import annotations

import hashlib
import json
import math
import queue
import re
import statistics
import threading
import time
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from interviewer.errors import InterviewerError
from interviewer.feedback import Citation, Feedback, IncorrectClaim

if TYPE_CHECKING:
    import numpy as np
    import yaml

    from interviewer.settings import Settings

FIXTURE_SUFFIXES = (".yaml", ".yml")
RESULTS_VERSION = 1
# Cosine similarity (all-MiniLM-L6-v2, normalised) at or above which an ``idea`` item
# counts as stated by a feedback sentence. Calibrated on evals/meta/idea_pairs.yaml
# (paraphrases of one point vs neighbouring points of the same note section): at 0.5
# about 9 in 10 paraphrases match and under 2 in 10 neighbours do; at 0.6 half the
# paraphrases are lost. tests/test_evals.py keeps the threshold honest on those pairs.
IDEA_THRESHOLD = 0.5

CheckKind = Literal["score", "missing", "incorrect", "not_flagged", "cite", "grounded"]
CHECK_KINDS: tuple[str, ...] = ("score", "missing", "incorrect", "not_flagged", "cite", "grounded")

# What an answer is, for the metrics that are about kinds of answers: a fully correct
# answer (in any style), a partial one, a plainly wrong one, one that swaps or reverses
# the notes (inner for left join, bias for variance), one about something else, an
# "I don't know", a thin answer padded with filler, no answer at all.
AnswerKind = Literal[
    "correct", "partial", "wrong", "reversed", "offtopic", "idk", "padded", "empty"
]
ANSWER_KINDS: tuple[str, ...] = get_args(AnswerKind)
# Answers in which a flagged wrong claim can only be a false flag.
NOTHING_WRONG_KINDS = frozenset({"correct", "idk", "offtopic", "empty"})
# The score bars of the grader's targets: correct answers at or above, reversed ones at
# or below.
CORRECT_SCORE_MIN = 6.0
REVERSED_SCORE_MAX = 5.0
# Label of the cases that name no corpus (they grade against the run's corpus).
DEFAULT_CORPUS = "default"


class FixtureError(InterviewerError):
    """A fixture file or fixtures dir that cannot be used."""


class ResultsError(InterviewerError):
    """A results file that cannot be read."""


class EvalInterrupted(KeyboardInterrupt):
    """Ctrl-C during a run. Carries the cases that finished; from ``run_eval`` also the
    partial results and where they were saved (or why they could not be). A
    ``KeyboardInterrupt`` so that callers unaware of it still stop as on Ctrl-C."""

    def __init__(
        self,
        cases: list[CaseResult],
        results: Results | None = None,
        path: Path | None = None,
        save_error: ResultsError | None = None,
    ) -> None:
        super().__init__("interrupted")
        self.cases = cases
        self.results = results
        self.path = path
        self.save_error = save_error


# ---- fixture models -----------------------------------------------------------------


class Item(BaseModel):
    """One idea of a fixture: a list of phrases (any one matches) or a sentence matched
    by embedding similarity."""

    model_config = ConfigDict(extra="forbid")

    any: list[str] | None = None
    idea: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        # A bare string is the common one-phrase case: `- "early stopping"`.
        if isinstance(data, str):
            return {"any": [data]}
        return data

    @model_validator(mode="after")
    def _one_of(self) -> Item:
        if (self.any is None) == (self.idea is None):
            raise ValueError("an item needs exactly one of 'any' or 'idea'")
        if self.any is not None:
            phrases = [p for p in self.any if normalise(p)]
            if not phrases:
                raise ValueError("'any' needs at least one non-empty phrase")
            self.any = phrases
        if self.idea is not None and not self.idea.strip():
            raise ValueError("'idea' must not be empty")
        return self

    def label(self) -> str:
        if self.any is not None:
            return "any: " + " | ".join(self.any)
        return f"idea: {self.idea}"


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: tuple[float, float] | None = None
    missing: list[Item] = Field(default_factory=list)
    incorrect: list[Item] = Field(default_factory=list)
    not_flagged: list[Item] = Field(default_factory=list)
    cite: list[str] = Field(default_factory=list)
    grounded: bool | None = None

    @field_validator("score")
    @classmethod
    def _range(cls, v: tuple[float, float] | None) -> tuple[float, float] | None:
        if v is not None:
            lo, hi = v
            if not (0 <= lo <= hi <= 10):
                raise ValueError("score must be [low, high] with 0 <= low <= high <= 10")
        return v

    @field_validator("cite")
    @classmethod
    def _cite(cls, v: list[str]) -> list[str]:
        if any(not normalise(c) for c in v):
            raise ValueError("cite entries must be non-empty heading substrings")
        return v

    def is_empty(self) -> bool:
        return (
            self.score is None
            and not (self.missing or self.incorrect or self.not_flagged or self.cite)
            and self.grounded is None
        )


class Case(BaseModel):
    """One fixture: a question of the notes, an answer, and how the feedback on that
    answer must behave."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    question: str = Field(min_length=1)
    answer: str = ""
    expect: Expect
    tags: list[str] = Field(default_factory=list, description="Free labels for reports.")
    corpus: str | None = Field(
        default=None,
        description="Notes file or dir this case grades against, relative to the repo "
        "root (absolute allowed); none: the run's corpus.",
    )
    kind: AnswerKind | None = Field(default=None, description="What kind of answer this is.")
    heading: str | None = Field(
        default=None,
        description="The notes' heading the question comes from, for notes whose "
        "headings name topics ('Load balancer'): graded as that heading's question "
        "whatever words the question bank gives it; without one, by the question text.",
    )

    @field_validator("corpus")
    @classmethod
    def _corpus(cls, v: str | None) -> str | None:
        if v is not None and not v.strip():
            raise ValueError("corpus must be a non-empty path")
        return v.strip() if v is not None else None

    def corpus_label(self) -> str:
        return corpus_label(self.corpus)

    @model_validator(mode="after")
    def _has_checks(self) -> Case:
        if self.expect.is_empty():
            raise ValueError("expect has no checks")
        return self


class FixtureProblem(BaseModel):
    file: str
    line: int | None = None
    case_id: str | None = None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class LoadedCase(BaseModel):
    case: Case
    file: str
    line: int


class FixtureSet(BaseModel):
    cases: list[LoadedCase] = Field(default_factory=list)
    problems: list[FixtureProblem] = Field(default_factory=list)

    def by_id(self) -> dict[str, LoadedCase]:
        return {c.case.id: c for c in self.cases}


def corpus_label(corpus: str | None) -> str:
    """Short name of a case's corpus for reports: the file's stem or the dir's name."""
    if corpus is None:
        return DEFAULT_CORPUS
    path = Path(corpus)
    return (path.stem if path.suffix else path.name) or corpus


# ---- fixture loading ----------------------------------------------------------------


def _node_at(node: yaml.Node, loc: Sequence[int | str]) -> yaml.Node:
    """Follow a pydantic error location into the YAML node tree; the deepest node
    reached (for the last step of a mapping, the key: an unknown key's own line)."""
    import yaml

    current = node
    for i, step in enumerate(loc):
        if isinstance(current, yaml.MappingNode):
            match = next(
                (kv for kv in current.value if getattr(kv[0], "value", None) == str(step)), None
            )
            if match is None:
                return current
            current = match[0] if i == len(loc) - 1 else match[1]
        elif isinstance(current, yaml.SequenceNode) and isinstance(step, int):
            if not 0 <= step < len(current.value):
                return current
            current = current.value[step]
        else:
            return current
    return current


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _duplicate_keys(node: yaml.Node) -> list[tuple[str, int]]:
    """PyYAML keeps the last of two equal keys silently; a fixture author never means it."""
    import yaml

    found: list[tuple[str, int]] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    found.append((key.value, _line(key)))
                seen.add(key.value)
            found.extend(_duplicate_keys(value))
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            found.extend(_duplicate_keys(child))
    return found


def _describe(err: Any) -> str:
    loc = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        return f"unknown key {str(err['loc'][-1])!r}" + (
            f" in {'.'.join(str(p) for p in err['loc'][:-1])}" if len(err["loc"]) > 1 else ""
        )
    if err["type"] == "missing":
        return f"missing key {loc!r}"
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"{loc}: {msg}" if loc else msg


def _case_from_node(
    loader: Any, node: yaml.Node, rel: str
) -> tuple[LoadedCase | None, FixtureProblem | None]:
    import yaml

    line = _line(node)
    case_id: str | None = None
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if getattr(key, "value", None) == "id" and isinstance(value, yaml.ScalarNode):
                case_id = value.value or None
    else:
        return None, FixtureProblem(
            file=rel, line=line, message="a fixture must be a mapping with id, question, expect"
        )
    dups = _duplicate_keys(node)
    if dups:
        key, at = dups[0]
        return None, FixtureProblem(
            file=rel, line=at, case_id=case_id, message=f"duplicate key {key!r}"
        )
    try:
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        return None, FixtureProblem(file=rel, line=line, case_id=case_id, message=str(exc))
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        # A typo'd key usually also shows up as a missing one: name the typo first.
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        err = errors[0]
        target = _node_at(node, err["loc"])
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return None, FixtureProblem(
            file=rel, line=_line(target), case_id=case_id, message=_describe(err) + more
        )
    return LoadedCase(case=case, file=rel, line=line), None


def load_fixture_file(path: Path, rel: str | None = None) -> FixtureSet:
    """Load one YAML file: one case (a mapping) or a list of cases. Problems are
    returned, never raised, so one bad case does not hide the others."""
    import yaml

    rel = rel or path.name
    out = FixtureSet()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        out.problems.append(FixtureProblem(file=rel, message=f"cannot read: {exc}"))
        return out
    # Composing (rather than loading) keeps each node's line for error messages.
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        out.problems.append(
            FixtureProblem(
                file=rel,
                line=int(mark.line) + 1 if mark is not None else None,
                message=f"invalid YAML: {problem}",
            )
        )
        return out
    finally:
        loader.dispose()
    if root is None:
        out.problems.append(FixtureProblem(file=rel, line=1, message="empty fixture file"))
        return out
    nodes = root.value if isinstance(root, yaml.SequenceNode) else [root]
    for node in nodes:
        loaded, problem = _case_from_node(loader, node, rel)
        if loaded is not None:
            out.cases.append(loaded)
        if problem is not None:
            out.problems.append(problem)
    return out


SEALED_FILE = "SEALED"


def sealed_dirs(path: Path) -> set[str]:
    """The fixture dirs listed in ``SEALED`` beside them (one dir name a line; ``#``
    starts a comment): a blind set that grades the grader but that nothing is fitted
    on. An absent file seals nothing."""
    listing = (path if path.is_dir() else path.parent) / SEALED_FILE
    if not listing.is_file():
        return set()
    names = set()
    for line in listing.read_text(encoding="utf-8").splitlines():
        name = line.split("#", 1)[0].strip().strip("/")
        if name:
            names.add(name)
    return names


def load_fixtures(path: Path, skip_dirs: Collection[str] = ()) -> FixtureSet:
    """All cases under a dir (recursively, sorted by path) or in one file. Duplicate
    ids are problems reported at the second occurrence; the first one is kept.
    ``skip_dirs``: top-level dirs under ``path`` not read at all (sealed sets)."""
    if not path.exists():
        raise FixtureError(f"fixtures not found: {path}")
    if path.is_file():
        files = [path]
        base = path.parent
    else:
        files = sorted(
            p for p in path.rglob("*")
            if p.suffix in FIXTURE_SUFFIXES and p.is_file()
            and p.relative_to(path).parts[0] not in skip_dirs
        )  # fmt: skip
        base = path
        if not files:
            raise FixtureError(f"no *.yaml fixtures in {path}")
    result = FixtureSet()
    seen: dict[str, LoadedCase] = {}
    for file in files:
        part = load_fixture_file(file, file.relative_to(base).as_posix())
        result.problems.extend(part.problems)
        for loaded in part.cases:
            first = seen.get(loaded.case.id)
            if first is not None:
                result.problems.append(
                    FixtureProblem(
                        file=loaded.file,
                        line=loaded.line,
                        case_id=None,
                        message=f"duplicate id {loaded.case.id!r} "
                        f"(first at {first.file}:{first.line})",
                    )
                )
                continue
            seen[loaded.case.id] = loaded
            result.cases.append(loaded)
    return result


# ---- matching -----------------------------------------------------------------------

_NON_WORD = re.compile(r"[^0-9a-z]+")
_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+")


def normalise(text: str) -> str:
    """Lowercase, accents folded, punctuation and hyphens as spaces: 'Cross-Validation'
    and 'cross validation' compare equal."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", folded.lower()).strip()


def phrase_in(phrase: str, text: str) -> bool:
    """The phrase starts at a word boundary of the text; its end may run into a longer
    word so that 'early stop' matches 'early stopping' and 'network' 'networks'."""
    p = normalise(phrase)
    return bool(p) and f" {p}" in f" {normalise(text)} "


def sentences(text: str) -> list[str]:
    parts = [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]
    return parts or ([text] if text.strip() else [])


class Embeds(Protocol):
    def embed(self, texts: list[str]) -> np.ndarray: ...


class IdeaMatcher:
    """Embedding similarity between an idea and feedback texts, with a cache: fixture
    ideas and note-derived points repeat across cases and repeats."""

    def __init__(self, embedder: Embeds, threshold: float = IDEA_THRESHOLD) -> None:
        self.embedder = embedder
        self.threshold = threshold
        self._cache: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _vectors(self, texts: list[str]) -> list[Any]:
        with self._lock:
            todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if todo:
            rows = self.embedder.embed(todo)
            with self._lock:
                for text, row in zip(todo, rows, strict=True):
                    self._cache[text] = row
        with self._lock:
            return [self._cache[t] for t in texts]

    def best(self, idea: str, texts: list[str]) -> tuple[float, str | None]:
        """Highest similarity of the idea to any sentence (or whole text) of ``texts``."""
        candidates: list[str] = []
        for text in texts:
            candidates.extend(sentences(text))
            if text.strip():
                candidates.append(text)
        candidates = list(dict.fromkeys(candidates))
        if not candidates:
            return 0.0, None
        vectors = self._vectors([idea, *candidates])
        query = vectors[0]
        best, where = -1.0, None
        for text, vec in zip(candidates, vectors[1:], strict=True):
            sim = float(query @ vec)
            if sim > best:
                best, where = sim, text
        return round(best, 4), where


# ---- checks and scorers -------------------------------------------------------------


class Check(BaseModel):
    kind: CheckKind
    item: str
    passed: bool
    detail: str = ""


class ScoreContext:
    """What scorers share: the idea matcher (created on first use, so runs without
    ``idea`` items never load an embedder)."""

    def __init__(
        self,
        embedder_factory: Callable[[], Embeds] | None = None,
        threshold: float = IDEA_THRESHOLD,
    ) -> None:
        self._factory = embedder_factory
        self.threshold = threshold
        self._matcher: IdeaMatcher | None = None
        self._lock = threading.Lock()

    @property
    def matcher(self) -> IdeaMatcher:
        with self._lock:
            if self._matcher is None:
                if self._factory is None:
                    raise InterviewerError("an 'idea' item needs an embedder; none was given")
                self._matcher = IdeaMatcher(self._factory(), self.threshold)
            return self._matcher

    def find(self, item: Item, texts: list[tuple[str, str]]) -> str | None:
        """Where ``item`` is stated among (label, text) pairs, or None."""
        if item.any is not None:
            for label, text in texts:
                for phrase in item.any:
                    if phrase_in(phrase, text):
                        return f"{phrase!r} in {label}"
            return None
        assert item.idea is not None
        if not texts:
            return None
        sim, where = self.matcher.best(item.idea, [t for _, t in texts])
        if sim >= self.threshold and where is not None:
            label = next((lbl for lbl, t in texts if where in t), "feedback")
            return f"similarity {sim:.2f} >= {self.threshold} in {label}"
        return None


class Scorer(Protocol):
    """Turns one fixture and the feedback graded for it into checks."""

    kind: str

    def __call__(self, case: Case, feedback: Feedback, ctx: ScoreContext) -> list[Check]: ...


def _missed_texts(fb: Feedback) -> list[tuple[str, str]]:
    return [(f"missed[{i}]", p.text) for i, p in enumerate(fb.missed)]


def _incorrect_texts(fb: Feedback, with_correction: bool) -> list[tuple[str, str]]:
    out = []
    for i, claim in enumerate(fb.incorrect):
        out.append((f"incorrect[{i}]", claim.text))
        # A correction that names the right idea shows the error was understood.
        if with_correction and claim.correction:
            out.append((f"incorrect[{i}].correction", claim.correction))
    return out


class ScoreRangeScorer:
    kind = "score"

    def __call__(self, case: Case, feedback: Feedback, ctx: ScoreContext) -> list[Check]:
        if case.expect.score is None:
            return []
        lo, hi = case.expect.score
        ok = lo <= feedback.score <= hi
        return [
            Check(
                kind="score",
                item=f"[{_num(lo)}, {_num(hi)}]",
                passed=ok,
                detail=f"score {_num(feedback.score)}",
            )
        ]


class MissingScorer:
    """Each expected omission must be reported in ``missed``."""

    kind = "missing"

    def __call__(self, case: Case, feedback: Feedback, ctx: ScoreContext) -> list[Check]:
        texts = _missed_texts(feedback)
        checks = []
        for item in case.expect.missing:
            where = ctx.find(item, texts)
            checks.append(
                Check(
                    kind="missing",
                    item=item.label(),
                    passed=where is not None,
                    detail=where or "not reported missed",
                )
            )
        return checks


class IncorrectScorer:
    """Each planted misconception must be flagged (claim or correction)."""

    kind = "incorrect"

    def __call__(self, case: Case, feedback: Feedback, ctx: ScoreContext) -> list[Check]:
        texts = _incorrect_texts(feedback, with_correction=True)
        checks = []
        for item in case.expect.incorrect:
            where = ctx.find(item, texts)
            checks.append(
                Check(
                    kind="incorrect",
                    item=item.label(),
                    passed=where is not None,
                    detail=where or "not flagged incorrect",
                )
            )
        return checks


class NotFlaggedScorer:
    """Ideas the answer got right must appear neither as missed nor as a wrong claim.
    Corrections are not searched: naming the right idea there is not a complaint."""

    kind = "not_flagged"

    def __call__(self, case: Case, feedback: Feedback, ctx: ScoreContext) -> list[Check]:
        texts = _missed_texts(feedback) + _incorrect_texts(feedback, with_correction=False)
        checks = []
        for item in case.expect.not_flagged:
            where = ctx.find(item, texts)
            checks.append(
                Check(
                    kind="not_flagged",
                    item=item.label(),
                    passed=where is None,
                    detail=f"wrongly reported: {where}" if where else "",
                )
            )
        return checks


def cited_notes(feedback: Feedback) -> list[Citation]:
    """Note citations the feedback shows: its own list and those of its points,
    deduplicated by place."""
    seen: set[tuple[str, str]] = set()
    out: list[Citation] = []
    points = [*feedback.covered, *feedback.partial, *feedback.missed]
    pool = [
        *feedback.citations,
        *(p.citation for p in points if p.citation),
        *(c.citation for c in feedback.incorrect if c.citation),
    ]
    for cit in pool:
        if cit.kind != "note":
            continue
        key = (cit.source, cit.heading)
        if key not in seen:
            seen.add(key)
            out.append(cit)
    return out


class CiteScorer:
    kind = "cite"

    def __call__(self, case: Case, feedback: Feedback, ctx: ScoreContext) -> list[Check]:
        headings = [c.heading for c in cited_notes(feedback)]
        checks = []
        for want in case.expect.cite:
            hit = next((h for h in headings if phrase_in(want, h) or _contains(h, want)), None)
            checks.append(
                Check(
                    kind="cite",
                    item=want,
                    passed=hit is not None,
                    detail=f"cited {hit!r}"
                    if hit
                    else f"{len(headings)} note citations, none match",
                )
            )
        return checks


class GroundedScorer:
    kind = "grounded"

    def __call__(self, case: Case, feedback: Feedback, ctx: ScoreContext) -> list[Check]:
        if case.expect.grounded is None:
            return []
        return [
            Check(
                kind="grounded",
                item=str(case.expect.grounded).lower(),
                passed=feedback.grounded == case.expect.grounded,
                detail=f"grounded={str(feedback.grounded).lower()} "
                f"notes_status={feedback.notes_status}",
            )
        ]


DEFAULT_SCORERS: tuple[Scorer, ...] = (
    ScoreRangeScorer(),
    MissingScorer(),
    IncorrectScorer(),
    NotFlaggedScorer(),
    CiteScorer(),
    GroundedScorer(),
)


def _num(x: float) -> str:
    return f"{x:g}"


def _contains(haystack: str, needle: str) -> bool:
    return normalise(needle) in normalise(haystack)


def score_feedback(
    case: Case,
    feedback: Feedback,
    ctx: ScoreContext,
    scorers: Iterable[Scorer] = DEFAULT_SCORERS,
) -> list[Check]:
    checks: list[Check] = []
    for scorer in scorers:
        checks.extend(scorer(case, feedback, ctx))
    return checks


# ---- results ------------------------------------------------------------------------


class ClaimVerdict(BaseModel):
    """One wrong-claim flag of a feedback (penalising or advisory), judged against its
    fixture: right (it names an ``incorrect`` item), wrong (the answer has nothing wrong
    in it, or the flag names a ``not_flagged`` item) or not judged (None)."""

    rule: str
    advisory: bool = False
    verdict: bool | None = None


class Attempt(BaseModel):
    feedback: Feedback | None = None
    checks: list[Check] = Field(default_factory=list)
    passed: bool = False
    latency_ms: float | None = None
    error: str | None = None
    claims: list[ClaimVerdict] | None = None


class CaseResult(BaseModel):
    """One fixture's outcome. ``feedback``/``checks``/``passed`` describe the first
    attempt; with ``--repeat`` every attempt is in ``attempts`` (and the case passes
    only when all attempts pass)."""

    id: str
    question: str = ""
    answer: str = ""
    file: str | None = None
    line: int | None = None
    tags: list[str] = Field(default_factory=list)
    corpus: str | None = None
    kind: str | None = None
    feedback: Feedback | None = None
    checks: list[Check] = Field(default_factory=list)
    passed: bool = False
    latency_ms: float | None = None
    error: str | None = None
    claims: list[ClaimVerdict] | None = None
    attempts: list[Attempt] | None = None
    pass_fraction: float | None = None
    score_mean: float | None = None
    score_variance: float | None = None

    def all_attempts(self) -> list[Attempt]:
        if self.attempts:
            return self.attempts
        return [
            Attempt(
                feedback=self.feedback,
                checks=self.checks,
                passed=self.passed,
                latency_ms=self.latency_ms,
                error=self.error,
                claims=self.claims,
            )
        ]

    @classmethod
    def from_attempts(cls, base: dict[str, Any], attempts: list[Attempt]) -> CaseResult:
        first = attempts[0]
        scores = [a.feedback.score for a in attempts if a.feedback is not None]
        errors = [a.error for a in attempts if a.error]
        result = cls(
            **base,
            feedback=first.feedback,
            checks=first.checks,
            passed=all(a.passed for a in attempts),
            latency_ms=first.latency_ms,
            error=errors[0] if errors else None,
            claims=first.claims,
        )
        if len(attempts) > 1:
            result.attempts = attempts
            result.pass_fraction = sum(a.passed for a in attempts) / len(attempts)
            result.score_mean = round(statistics.fmean(scores), 4) if scores else None
            result.score_variance = (
                round(statistics.pvariance(scores), 4) if len(scores) > 1 else None
            )
        return result


class RuleStats(BaseModel):
    """How one wrong-claim rule did: a flag is right when it names an ``incorrect``
    item of its case, wrong when it names a ``not_flagged`` item or sits in an answer
    with nothing wrong in it (a correct answer, "I don't know", off-topic, empty);
    other flags are not judged. ``precision`` is None with nothing judged."""

    flags: int = 0
    right: int = 0
    wrong: int = 0
    advisory: int = Field(default=0, description="Flags shown as 'check', no score effect.")
    precision: float | None = None


UNNAMED_RULE = "unknown"


class Metrics(BaseModel):
    """Ratios are None when nothing was there to measure (e.g. no ``incorrect`` items,
    or no model in the run)."""

    missing_recall: float | None = None
    incorrect_recall: float | None = None
    false_flag_rate: float | None = None
    score_in_range: float | None = None
    citation_precision: float | None = None
    cite_recall: float | None = None
    grounded_accuracy: float | None = None
    pass_rate: float | None = None
    latency_p50_ms: float | None = None
    latency_p95_ms: float | None = None
    invalid_model_output_rate: float | None = None
    correct_false_flag_rate: float | None = Field(
        default=None, description="Correct answers with a wrong claim that costs score."
    )
    correct_advisory_rate: float | None = Field(
        default=None, description="Correct answers with a claim to check (no score effect)."
    )
    correct_score_ok: float | None = Field(
        default=None, description=f"Correct answers scoring >= {CORRECT_SCORE_MIN:g}."
    )
    reversed_score_ok: float | None = Field(
        default=None, description=f"Reversed answers scoring <= {REVERSED_SCORE_MAX:g}."
    )
    claim_precision: float | None = Field(
        default=None, description="Judged wrong-claim flags that were right, all rules."
    )
    rules: dict[str, RuleStats] = Field(default_factory=dict)
    cases: int = 0
    errors: int = 0
    attempts: int = 0


HIGHER_IS_BETTER: dict[str, bool] = {
    "missing_recall": True,
    "incorrect_recall": True,
    "false_flag_rate": False,
    "score_in_range": True,
    "citation_precision": True,
    "cite_recall": True,
    "grounded_accuracy": True,
    "pass_rate": True,
    "latency_p50_ms": False,
    "latency_p95_ms": False,
    "invalid_model_output_rate": False,
    "correct_false_flag_rate": False,
    "correct_advisory_rate": False,
    "correct_score_ok": True,
    "reversed_score_ok": True,
    "claim_precision": True,
}


class RunInfo(BaseModel):
    model: str | None = None
    engine: str = "grounded"
    prompts_hash: str = ""
    settings: dict[str, Any] = Field(default_factory=dict)
    started: str = ""
    duration: float = 0.0
    fixtures: str = ""
    repeat: int = 1
    jobs: int = 1
    cache: bool = True
    idea_threshold: float = IDEA_THRESHOLD
    embedder: str | None = None
    rescored: str | None = Field(default=None, description="When `eval score` wrote this.")
    partial: bool = Field(
        default=False, description="The run stopped early (Ctrl-C); only finished cases are in."
    )
    params: dict[str, Any] | None = Field(
        default=None, description="The grader's values when given explicitly (--calibration)."
    )
    completed: int | None = Field(default=None, description="Fixture cases graded.")
    total: int | None = Field(default=None, description="Fixture cases the run had to grade.")


class Results(BaseModel):
    version: int = RESULTS_VERSION
    run: RunInfo = Field(default_factory=RunInfo)
    cases: list[CaseResult] = Field(default_factory=list)
    metrics: Metrics = Field(default_factory=Metrics)
    by_corpus: dict[str, Metrics] = Field(
        default_factory=dict, description="The metrics of each corpus's cases alone."
    )
    fixture_problems: list[FixtureProblem] = Field(default_factory=list)
    unscored: list[str] = Field(
        default_factory=list, description="Fixture ids with no stored feedback (eval score)."
    )


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    data = sorted(values)
    pos = (len(data) - 1) * q / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(data) - 1)
    return round(data[lo] + (data[hi] - data[lo]) * (pos - lo), 2)


_FLAG_LABEL = re.compile(r"\bin incorrect\[(\d+)\]")


def claim_rule(claim: IncorrectClaim) -> str:
    """The name of the rule that flagged a claim: "model" for the model's claims,
    "unknown" for grounded ones stored by a grader that did not name its rules."""
    if claim.rule:
        return claim.rule
    return "model" if claim.source == "model" else UNNAMED_RULE


def claim_is_advisory(claim: IncorrectClaim) -> bool:
    """A claim shown as 'differs from your notes, check', with no effect on the score."""
    return claim.advisory


def _flag_verdicts(kind: str | None, checks: Sequence[Check], n_claims: int) -> list[bool | None]:
    """For each wrong-claim flag of one attempt: right (True), wrong (False) or not
    judged (None), from the stored checks (so re-scoring reproduces it)."""
    verdicts: list[bool | None] = [None] * n_claims
    if kind in NOTHING_WRONG_KINDS:
        verdicts = [False] * n_claims
    for check in checks:
        if check.kind == "incorrect" and check.passed:
            found = _FLAG_LABEL.search(check.detail)
            if found and int(found.group(1)) < n_claims:
                verdicts[int(found.group(1))] = True
    for check in checks:
        if check.kind == "not_flagged" and not check.passed:
            found = _FLAG_LABEL.search(check.detail)
            if found and int(found.group(1)) < n_claims:
                verdicts[int(found.group(1))] = False
    return verdicts


def _verdicts(kind: str | None, att: Attempt, fb: Feedback) -> list[ClaimVerdict]:
    """The judged flags of an attempt; for results stored before flags were judged,
    the penalising flags judged from the checks."""
    if att.claims is not None:
        return att.claims
    return [
        ClaimVerdict(rule=claim_rule(c), advisory=claim_is_advisory(c), verdict=v)
        for c, v in zip(
            fb.incorrect, _flag_verdicts(kind, att.checks, len(fb.incorrect)), strict=True
        )
    ]


def compute_metrics(cases: Sequence[CaseResult], cites: dict[str, list[str]]) -> Metrics:
    """Metrics from stored checks and feedback only (nothing is re-graded). Check
    ratios pool every attempt; ``pass_rate`` averages each case's pass fraction.
    ``cites`` maps case id to its expected heading substrings (for precision)."""
    counts: dict[str, list[int]] = {k: [0, 0] for k in CHECK_KINDS}
    latencies: list[float] = []
    model_used = model_bad = 0
    cited = cited_ok = 0
    pass_sum = 0.0
    errors = attempts_n = 0
    correct_n = correct_flagged = correct_checked = correct_ok = 0
    reversed_n = reversed_ok = 0
    rules: dict[str, RuleStats] = {}
    for case in cases:
        attempts = case.all_attempts()
        if case.error is not None:
            errors += 1
        pass_sum += sum(a.passed for a in attempts) / len(attempts)
        wanted = cites.get(case.id, [])
        for att in attempts:
            attempts_n += 1
            for check in att.checks:
                c = counts[check.kind]
                c[1] += 1
                c[0] += int(check.passed)
            if att.latency_ms is not None and att.error is None:
                latencies.append(att.latency_ms)
            fb = att.feedback
            if fb is None:
                continue
            if fb.engine != "grounded" or fb.model_error is not None:
                model_used += 1
                model_bad += int(fb.model_error is not None)
            if wanted:
                for cit in cited_notes(fb):
                    cited += 1
                    cited_ok += int(any(_contains(cit.heading, w) for w in wanted))
            if case.kind == "correct":
                correct_n += 1
                correct_flagged += int(any(not claim_is_advisory(c) for c in fb.incorrect))
                correct_checked += int(any(claim_is_advisory(c) for c in all_claims(fb)))
                correct_ok += int(fb.score >= CORRECT_SCORE_MIN)
            elif case.kind == "reversed":
                reversed_n += 1
                reversed_ok += int(fb.score <= REVERSED_SCORE_MAX)
            for flag in _verdicts(case.kind, att, fb):
                stats = rules.setdefault(flag.rule, RuleStats())
                stats.flags += 1
                stats.advisory += int(flag.advisory)
                stats.right += int(flag.verdict is True)
                stats.wrong += int(flag.verdict is False)
    for stats in rules.values():
        stats.precision = _ratio(stats.right, stats.right + stats.wrong)
    right = sum(r.right for r in rules.values())
    judged = right + sum(r.wrong for r in rules.values())
    nf_ok, nf_n = counts["not_flagged"]
    return Metrics(
        missing_recall=_ratio(*counts["missing"]),
        incorrect_recall=_ratio(*counts["incorrect"]),
        false_flag_rate=_ratio(nf_n - nf_ok, nf_n),
        score_in_range=_ratio(*counts["score"]),
        citation_precision=_ratio(cited_ok, cited),
        cite_recall=_ratio(*counts["cite"]),
        grounded_accuracy=_ratio(*counts["grounded"]),
        pass_rate=round(pass_sum / len(cases), 4) if cases else None,
        latency_p50_ms=percentile(latencies, 50),
        latency_p95_ms=percentile(latencies, 95),
        invalid_model_output_rate=_ratio(model_bad, model_used),
        correct_false_flag_rate=_ratio(correct_flagged, correct_n),
        correct_advisory_rate=_ratio(correct_checked, correct_n),
        correct_score_ok=_ratio(correct_ok, correct_n),
        reversed_score_ok=_ratio(reversed_ok, reversed_n),
        claim_precision=_ratio(right, judged),
        rules=dict(sorted(rules.items())),
        cases=len(cases),
        errors=errors,
        attempts=attempts_n,
    )


def metrics_by_corpus(
    cases: Sequence[CaseResult], cites: dict[str, list[str]]
) -> dict[str, Metrics]:
    """The metrics of each corpus's cases, keyed by corpus label (in order of first
    appearance)."""
    groups: dict[str, list[CaseResult]] = {}
    for case in cases:
        groups.setdefault(corpus_label(case.corpus), []).append(case)
    return {label: compute_metrics(group, cites) for label, group in groups.items()}


def cites_of(fixtures: FixtureSet) -> dict[str, list[str]]:
    return {c.case.id: c.case.expect.cite for c in fixtures.cases if c.case.expect.cite}


def _base(loaded: LoadedCase) -> dict[str, Any]:
    c = loaded.case
    return {
        "id": c.id,
        "question": c.question,
        "answer": c.answer,
        "file": loaded.file,
        "line": loaded.line,
        "tags": c.tags,
        "corpus": c.corpus,
        "kind": c.kind,
    }


def _problem_case(problem: FixtureProblem) -> CaseResult:
    return CaseResult(
        id=problem.case_id or f"{problem.file}:{problem.line or 0}",
        file=problem.file,
        line=problem.line,
        error=f"fixture: {problem}",
    )


def all_claims(feedback: Feedback) -> list[IncorrectClaim]:
    """Penalising claims, then advisory ones ("differs from your notes, check")."""
    return [*feedback.incorrect, *feedback.to_check]


def judge_claims(case: Case, feedback: Feedback, ctx: ScoreContext) -> list[ClaimVerdict]:
    """Each flag of the feedback judged against the case (see ``ClaimVerdict``)."""
    out = []
    for claim in all_claims(feedback):
        verdict: bool | None = None
        said = [("claim", claim.text)]
        if case.kind in NOTHING_WRONG_KINDS:
            verdict = False
        elif any(
            ctx.find(item, [*said, ("correction", claim.correction)])
            for item in case.expect.incorrect
        ):
            verdict = True
        elif any(ctx.find(item, said) for item in case.expect.not_flagged):
            verdict = False
        out.append(
            ClaimVerdict(rule=claim_rule(claim), advisory=claim_is_advisory(claim), verdict=verdict)
        )
    return out


def score_attempt(
    case: Case, feedback: Feedback, ctx: ScoreContext, latency_ms: float | None
) -> Attempt:
    checks = score_feedback(case, feedback, ctx)
    return Attempt(
        feedback=feedback,
        checks=checks,
        passed=all(c.passed for c in checks),
        latency_ms=latency_ms,
        claims=judge_claims(case, feedback, ctx),
    )


# ---- running ------------------------------------------------------------------------


class Grades(Protocol):
    """What the harness needs of ``interviewer.grading.Grader``."""

    def grade(self, question: str, answer: str) -> Feedback: ...


def prompts_hash(prompts_dir: Path) -> str:
    """sha256 over every file under prompts/ (relative path and bytes), so runs with
    different prompts never look comparable by accident."""
    digest = hashlib.sha256()
    if prompts_dir.is_dir():
        for path in sorted(p for p in prompts_dir.rglob("*") if p.is_file()):
            digest.update(path.relative_to(prompts_dir).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


# Settings that cannot change what the grader says (where things live, network and
# fetch limits): every other one is recorded with a run, so that `eval compare` can say
# what differs between two runs (a fusion weight as much as the model).
UNRECORDED_SETTINGS = frozenset(
    {
        "home", "corpus", "prompts_dir", "chroma_host", "chroma_port", "ollama_host",
        "keep_alive", "connect_timeout_s", "llm_timeout_s", "index_lock_wait_s",
        "embed_batch_size", "fetch_timeout_s", "fetch_max_bytes", "fetch_concurrency",
        "allow_private_urls", "max_file_bytes",
    }
)  # fmt: skip


def settings_subset(settings: Settings) -> dict[str, Any]:
    data = {
        name: getattr(settings, name, None)
        for name in type(settings).model_fields
        if name not in UNRECORDED_SETTINGS
    }
    data["corpus"] = str(settings.corpus_dir)
    return data


def settings_changed(a: RunInfo, b: RunInfo) -> list[SettingChange]:
    """The recorded settings whose values differ between two runs (a setting one run
    did not record is left out: older results recorded fewer)."""
    return [
        SettingChange(name=name, a=a.settings[name], b=b.settings[name])
        for name in sorted(a.settings.keys() & b.settings.keys())
        if a.settings[name] != b.settings[name]
    ]


def default_results_path(settings: Settings, engine: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    slug = re.sub(r"[^A-Za-z0-9.]+", "-", engine).strip("-") or "run"
    return settings.home / "evals" / f"{stamp}-{slug}.json"


def find_root(fixtures_path: Path) -> Path:
    """The dir that fixtures' corpus paths are relative to: the nearest dir above the
    fixtures holding a ``pyproject.toml`` (the repository root), else the current dir."""
    start = fixtures_path.resolve()
    for parent in [start, *start.parents]:
        if (parent / "pyproject.toml").is_file():
            return parent
    return Path.cwd()


def corpus_dir_for(settings: Settings, root: Path, corpus: str) -> Path:
    """The corpus dir to index for a fixture's ``corpus``: a dir as it is; a single
    notes file is staged alone in a dir of its own under the data dir (a dir holding
    other notes beside it would mix them into one index)."""
    path = Path(corpus).expanduser()
    if not path.is_absolute():
        path = root / path
    if path.is_dir():
        return path
    if not path.is_file():
        raise FixtureError(f"corpus not found: {corpus} (looked at {path})")
    resolved = path.resolve()
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:12]
    staged = settings.home / "evals" / "corpora" / f"{resolved.stem}-{digest}"
    target = staged / resolved.name
    data = resolved.read_bytes()
    # Rewritten only when it changed, so the index built on it stays valid.
    if not target.is_file() or target.read_bytes() != data:
        from interviewer.files import write_atomic

        try:
            staged.mkdir(parents=True, exist_ok=True)
            write_atomic(target, data)
        except OSError as exc:
            raise FixtureError(f"cannot stage corpus {corpus} in {staged}: {exc}") from None
    return staged


class CorpusGraders:
    """One grader per corpus, opened on first use (each corpus dir has its own index
    and question bank). Cases that name no corpus go to ``default`` or, without one,
    to a grader on the run's own corpus."""

    def __init__(
        self,
        settings: Settings,
        root: Path,
        opener: Callable[[Settings], Grades],
        default: Grades | None = None,
    ) -> None:
        self.settings = settings
        self.root = root
        self._opener = opener
        self._graders: dict[str | None, Grades] = {}
        if default is not None:
            self._graders[None] = default
        self._failed: dict[str | None, str] = {}
        self._locks: dict[str | None, threading.Lock] = {}
        self._lock = threading.Lock()

    def settings_for(self, corpus: str | None) -> Settings:
        if corpus is None:
            return self.settings
        return self.settings.model_copy(
            update={"corpus": corpus_dir_for(self.settings, self.root, corpus)}
        )

    def for_corpus(self, corpus: str | None) -> Grades:
        with self._lock:
            lock = self._locks.setdefault(corpus, threading.Lock())
        with lock:
            if corpus in self._failed:
                raise InterviewerError(self._failed[corpus])
            if corpus not in self._graders:
                try:
                    self._graders[corpus] = self._opener(self.settings_for(corpus))
                except InterviewerError as exc:
                    # Said once per case of that corpus, tried once.
                    self._failed[corpus] = str(exc).splitlines()[0]
                    raise
            return self._graders[corpus]

    def for_case(self, case: Case) -> Grades:
        return self.for_corpus(case.corpus)


ProgressFn = Callable[[int, int, CaseResult | None], None]
CaseFn = Callable[[list[CaseResult]], None]


def _ordered(results: list[CaseResult]) -> list[CaseResult]:
    # Fixture order (file, then line), error cases at their place in their file.
    return sorted(results, key=lambda r: (r.file or "", r.line or 0))


def run_cases(
    fixtures: FixtureSet,
    grader: Grades | CorpusGraders,
    ctx: ScoreContext,
    *,
    jobs: int = 1,
    repeat: int = 1,
    on_progress: ProgressFn | None = None,
    on_case: CaseFn | None = None,
) -> list[CaseResult]:
    """Grade every case ``repeat`` times on ``jobs`` threads and score it. A case whose
    grading raises becomes an error case; the others go on. ``on_case`` gets the
    finished cases so far (fixture problems included) each time a case finishes all
    its attempts, so a caller can save them as the run goes.

    On Ctrl-C no new grading starts and ``EvalInterrupted`` carries the finished
    cases. Workers are daemon threads: a grade in flight (a model call that can take
    minutes) is abandoned rather than waited for."""
    if repeat < 1:
        raise InterviewerError("--repeat must be at least 1")
    jobs = max(1, jobs)
    total = len(fixtures.cases) * repeat
    slots: dict[str, list[Attempt | None]] = {c.case.id: [None] * repeat for c in fixtures.cases}
    by_id = fixtures.by_id()
    finished: list[CaseResult] = [_problem_case(p) for p in fixtures.problems]
    tasks: queue.SimpleQueue[tuple[LoadedCase, int]] = queue.SimpleQueue()
    for c in fixtures.cases:
        for k in range(repeat):
            tasks.put((c, k))
    outcomes: queue.Queue[tuple[str, int, Attempt | BaseException]] = queue.Queue()
    stop = threading.Event()

    def one(loaded: LoadedCase, k: int) -> tuple[str, int, Attempt]:
        case = loaded.case
        start = time.perf_counter()
        try:
            chosen = grader.for_case(case) if isinstance(grader, CorpusGraders) else grader
            start = time.perf_counter()  # opening a corpus's grader is not grading
            if case.heading is not None and isinstance(chosen, GraderAdapter):
                feedback = chosen.grade_heading(case.heading, case.question, case.answer)
            else:
                feedback = chosen.grade(case.question, case.answer)
        except Exception as exc:  # one broken case must not stop the run
            return case.id, k, Attempt(error=f"{type(exc).__name__}: {exc}".splitlines()[0])
        latency = round((time.perf_counter() - start) * 1000, 1)
        try:
            return case.id, k, score_attempt(case, feedback, ctx, latency)
        except InterviewerError as exc:
            return case.id, k, Attempt(feedback=feedback, latency_ms=latency, error=str(exc))

    def worker() -> None:
        while not stop.is_set():
            try:
                loaded, k = tasks.get_nowait()
            except queue.Empty:
                return
            try:
                outcomes.put(one(loaded, k))
            except BaseException as exc:  # re-raised in the caller's thread
                outcomes.put((loaded.case.id, k, exc))
                return

    done = 0

    def take(case_id: str, k: int, attempt: Attempt) -> bool:
        """Record one attempt; True when it was the case's last."""
        nonlocal done
        slots[case_id][k] = attempt
        done += 1
        attempts = slots[case_id]
        if any(a is None for a in attempts):
            return False
        complete = [a for a in attempts if a is not None]
        finished.append(CaseResult.from_attempts(_base(by_id[case_id]), complete))
        return True

    try:
        for i in range(min(jobs, total)):
            threading.Thread(target=worker, name=f"eval-{i}", daemon=True).start()
        while done < total:
            try:
                # A timed wait so that Ctrl-C is seen promptly on every platform.
                case_id, k, outcome = outcomes.get(timeout=0.5)
            except queue.Empty:
                continue
            if isinstance(outcome, BaseException):
                raise outcome
            case_done = take(case_id, k, outcome)
            if on_progress:
                on_progress(done, total, None)
            if case_done and on_case:
                on_case(_ordered(finished))
    except KeyboardInterrupt:
        stop.set()
        # Grades that finished while Ctrl-C arrived are kept, not thrown away.
        while True:
            try:
                case_id, k, outcome = outcomes.get_nowait()
            except queue.Empty:
                break
            if isinstance(outcome, Attempt):
                take(case_id, k, outcome)
        raise EvalInterrupted(_ordered(finished)) from None
    finally:
        stop.set()
    return _ordered(finished)


def _embedder_factory(settings: Settings) -> Callable[[], Embeds]:
    def make() -> Embeds:
        from interviewer.embeddings import get_embedder

        return get_embedder(settings)

    return make


def run_eval(
    settings: Settings,
    fixtures_dir: Path,
    *,
    grader: Grades | None = None,
    use_llm: bool | None = None,
    jobs: int = 1,
    repeat: int = 1,
    cache: bool = True,
    on_progress: ProgressFn | None = None,
    embedder: Embeds | None = None,
    checkpoint: Path | None = None,
    only_corpus: Sequence[str] = (),
    root: Path | None = None,
    params: Any = None,
) -> Results:
    """Load the fixtures, grade every case through ``Grader`` (the code path of
    ``interviewer grade``), score the feedback and compute the metrics.

    With ``checkpoint``, the results so far are rewritten there (atomically, marked
    partial) each time a case finishes, so a crash loses at most the cases in flight;
    a checkpoint that cannot be written is skipped (the caller's final save reports
    it). On Ctrl-C the finished cases are saved there as a partial results file and
    ``EvalInterrupted`` says where."""
    fixtures = load_fixtures(fixtures_dir)
    if only_corpus:
        fixtures = select_corpora(fixtures, only_corpus)
    use_llm = settings.use_llm if use_llm is None else use_llm
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    graders: Grades | CorpusGraders
    if grader is not None:
        graders = grader
    else:

        def opener(s: Settings) -> Grades:
            return open_grader(s, use_llm=use_llm, cache=cache, jobs=jobs, params=params)

        graders = CorpusGraders(settings, root or find_root(fixtures_dir), opener)
    factory: Callable[[], Embeds] = (
        (lambda: embedder) if embedder is not None else _embedder_factory(settings)
    )
    ctx = ScoreContext(factory)
    engine = f"ollama:{settings.model}" if use_llm else "grounded"
    info = RunInfo(
        model=settings.model if use_llm else None,
        engine=engine,
        prompts_hash=prompts_hash(settings.prompts_dir),
        settings=settings_subset(settings) | {"use_llm": use_llm},
        started=started.isoformat(timespec="seconds"),
        fixtures=str(fixtures_dir),
        repeat=repeat,
        jobs=jobs,
        cache=cache,
        idea_threshold=ctx.threshold,
        embedder=_embedder_name(settings, embedder),
        total=len(fixtures.cases),
        params=params.model_dump(mode="json") if isinstance(params, BaseModel) else None,
    )

    def results_of(cases: list[CaseResult], partial: bool) -> Results:
        run = info.model_copy(
            update={
                "duration": round(time.perf_counter() - t0, 3),
                "partial": partial,
                "completed": len(cases) - len(fixtures.problems),
            }
        )
        cites = cites_of(fixtures)
        return Results(
            run=run,
            cases=cases,
            metrics=compute_metrics(cases, cites),
            by_corpus=metrics_by_corpus(cases, cites),
            fixture_problems=fixtures.problems,
        )

    checkpoint_error: list[ResultsError] = []

    def save_checkpoint(cases: list[CaseResult]) -> None:
        if checkpoint is None or checkpoint_error:
            return
        try:
            save_results(results_of(cases, partial=True), checkpoint)
        except ResultsError as exc:  # the run goes on; the final save says why
            checkpoint_error.append(exc)

    try:
        cases = run_cases(
            fixtures,
            graders,
            ctx,
            jobs=jobs,
            repeat=repeat,
            on_progress=on_progress,
            on_case=save_checkpoint,
        )
    except EvalInterrupted as stopped:
        partial = results_of(stopped.cases, partial=True)
        save_error: ResultsError | None = None
        if checkpoint is not None:
            try:
                save_results(partial, checkpoint)
            except ResultsError as exc:
                save_error = exc
        raise EvalInterrupted(stopped.cases, partial, checkpoint, save_error) from None
    return results_of(cases, partial=False)


def _embedder_name(settings: Settings, embedder: Embeds | None) -> str:
    if embedder is not None:
        return str(getattr(embedder, "name", type(embedder).__name__))
    if settings.embedding_backend == "ollama":
        return f"ollama:{settings.ollama_embedding_model}"
    from interviewer.embeddings import MINILM_NAME

    return MINILM_NAME


def select_corpora(fixtures: FixtureSet, names: Sequence[str]) -> FixtureSet:
    """Only the cases whose corpus label (or path) contains one of ``names``; an
    unknown name is an error that lists the corpora there are."""
    wanted = [normalise(n) for n in names if normalise(n)]

    def keep(case: Case) -> bool:
        label = normalise(case.corpus_label())
        path = normalise(case.corpus or "")
        return any(w in label or w in path for w in wanted)

    chosen = [c for c in fixtures.cases if keep(c.case)]
    if not chosen:
        known = sorted({c.case.corpus_label() for c in fixtures.cases})
        raise FixtureError(
            f"no fixtures for corpus {', '.join(names)}; corpora: {', '.join(known)}"
        )
    return FixtureSet(cases=chosen, problems=fixtures.problems)


def open_grader(
    settings: Settings, *, use_llm: bool, cache: bool = True, jobs: int = 1, params: Any = None
) -> Grades:
    """The product's grader (the code path of ``interviewer grade``), with the model's
    replies cached in the data dir unless ``cache`` is off, so re-running unchanged
    cases costs nothing. The grader opens its retriever once however many threads
    grade (``jobs``)."""
    from interviewer.grading import Grader

    store = None
    if use_llm and cache:
        from interviewer.llm import SQLiteResponseCache, default_cache_path

        store = SQLiteResponseCache(default_cache_path(settings))
    # ``params``: thresholds and weights given explicitly (default: the calibrated ones).
    return GraderAdapter(Grader.open(settings, use_llm=use_llm, cache=store, params=params))


class GraderAdapter:
    """The product's ``Grader`` as the harness uses it: checked output, and grading by
    a notes heading."""

    def __init__(self, grader: Any) -> None:
        self._grader = grader

    def grade(self, question: Any, answer: str) -> Feedback:
        result = self._grader.grade(question, answer)
        if not isinstance(result, Feedback):
            raise InterviewerError(f"grader returned {type(result).__name__}, not Feedback")
        return result

    def grade_heading(self, heading: str, question: str, answer: str) -> Feedback:
        """Grade as the bank's question of that heading (the last part of its heading
        path, or the path's end), else by the question text."""
        found = find_heading(self._grader.bank.questions, heading)
        return self.grade(found if found is not None else question, answer)


def find_heading(questions: Sequence[Any], heading: str) -> Any:
    """The first question whose heading path ends with ``heading`` ('A > B' or 'B')."""
    want = [normalise(part) for part in heading.split(">") if normalise(part)]
    if not want:
        return None
    for q in questions:
        path = [normalise(part) for part in str(getattr(q, "heading", "")).split(">")]
        if path[-len(want) :] == want:
            return q
    return None


# ---- re-scoring, files, comparison --------------------------------------------------


def rescore(
    results: Results,
    fixtures: FixtureSet,
    *,
    embedder: Embeds | None = None,
    settings: Settings | None = None,
    threshold: float | None = None,
) -> Results:
    """Score the feedback stored in ``results`` against ``fixtures`` (matched by case
    id) without grading again. Cases that failed to grade stay error cases."""
    if embedder is not None:
        factory: Callable[[], Embeds] | None = lambda: embedder  # noqa: E731
    elif settings is not None:
        factory = _embedder_factory(settings)
    else:
        factory = None
    ctx = ScoreContext(factory, threshold if threshold is not None else results.run.idea_threshold)
    by_id = fixtures.by_id()
    out: list[CaseResult] = []
    for stored in results.cases:
        loaded = by_id.get(stored.id)
        if loaded is None:
            if stored.feedback is None and stored.error:
                out.append(stored)  # fixture errors of the original run stay errors
            else:
                out.append(
                    CaseResult(
                        id=stored.id,
                        question=stored.question,
                        answer=stored.answer,
                        error=f"no fixture with id {stored.id!r}",
                    )
                )
            continue
        attempts: list[Attempt] = []
        for att in stored.all_attempts():
            if att.feedback is None:
                attempts.append(att)
                continue
            scored = score_attempt(loaded.case, att.feedback, ctx, att.latency_ms)
            attempts.append(scored)
        out.append(CaseResult.from_attempts(_base(loaded), attempts))
    stored_ids = {c.id for c in results.cases}
    run = results.run.model_copy(
        update={"rescored": datetime.now(UTC).isoformat(timespec="seconds")}
    )
    return Results(
        run=run,
        cases=out,
        metrics=compute_metrics(out, cites_of(fixtures)),
        by_corpus=metrics_by_corpus(out, cites_of(fixtures)),
        fixture_problems=fixtures.problems,
        unscored=[c.case.id for c in fixtures.cases if c.case.id not in stored_ids],
    )


def save_results(results: Results, path: Path) -> Path:
    from interviewer.files import write_atomic

    try:
        write_atomic(path, results.model_dump_json(indent=2, exclude_none=False).encode("utf-8"))
    except OSError as exc:
        raise ResultsError(
            f"cannot write the results file {path}: {exc.strerror or exc} "
            "(pass --out FILE in a writable dir)"
        ) from None
    return path


def load_results(path: Path) -> Results:
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ResultsError(f"results file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultsError(f"{path}: cannot read: {exc}") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ResultsError(f"{path}:{exc.lineno}: not JSON: {exc.msg}") from None
    try:
        return Results.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise ResultsError(f"{path}: not an eval results file ({loc}: {err['msg']})") from None


class CaseChange(BaseModel):
    id: str
    change: Literal["regression", "improvement", "same", "only_a", "only_b"]
    passed_a: bool | None = None
    passed_b: bool | None = None
    score_a: float | None = None
    score_b: float | None = None
    broke: list[str] = Field(default_factory=list, description="Checks passing in A, not B.")
    fixed: list[str] = Field(default_factory=list, description="Checks failing in A, passing in B.")


class MetricDelta(BaseModel):
    name: str
    a: float | None
    b: float | None
    delta: float | None
    better: bool | None = Field(description="None when unchanged or not comparable.")


class SettingChange(BaseModel):
    name: str
    a: Any = None
    b: Any = None


class Comparison(BaseModel):
    a: RunInfo
    b: RunInfo
    cases: list[CaseChange]
    metrics: list[MetricDelta]
    regressions: int
    improvements: int
    prompts_changed: bool
    settings_changed: list[SettingChange] = Field(default_factory=list)


def _check_states(case: CaseResult) -> dict[str, float]:
    """Pass fraction of each check over the attempts, keyed 'kind: item'."""
    states: dict[str, list[bool]] = {}
    for att in case.all_attempts():
        for check in att.checks:
            states.setdefault(f"{check.kind}: {check.item}", []).append(check.passed)
    return {k: sum(v) / len(v) for k, v in states.items()}


def _case_pass(case: CaseResult) -> float:
    atts = case.all_attempts()
    return sum(a.passed for a in atts) / len(atts)


def compare_results(a: Results, b: Results) -> Comparison:
    """Pair cases by id: a case that passed in A and fails in B is a regression (with
    the checks that broke), the reverse an improvement; metric deltas are B - A."""
    a_by = {c.id: c for c in a.cases}
    b_by = {c.id: c for c in b.cases}
    changes: list[CaseChange] = []
    for case_id in [*a_by, *(i for i in b_by if i not in a_by)]:
        ca, cb = a_by.get(case_id), b_by.get(case_id)
        if ca is None or cb is None:
            present = ca or cb
            assert present is not None
            changes.append(
                CaseChange(
                    id=case_id,
                    change="only_a" if cb is None else "only_b",
                    passed_a=ca.passed if ca else None,
                    passed_b=cb.passed if cb else None,
                )
            )
            continue
        sa, sb = _check_states(ca), _check_states(cb)
        broke = sorted(k for k in sa if k in sb and sb[k] < sa[k])
        fixed = sorted(k for k in sa if k in sb and sb[k] > sa[k])
        pa, pb = _case_pass(ca), _case_pass(cb)
        change: Literal["regression", "improvement", "same"] = (
            "regression" if pb < pa else "improvement" if pb > pa else "same"
        )
        changes.append(
            CaseChange(
                id=case_id,
                change=change,
                passed_a=ca.passed,
                passed_b=cb.passed,
                score_a=ca.feedback.score if ca.feedback else None,
                score_b=cb.feedback.score if cb.feedback else None,
                broke=broke,
                fixed=fixed,
            )
        )
    deltas = []
    for name, higher in HIGHER_IS_BETTER.items():
        va, vb = getattr(a.metrics, name), getattr(b.metrics, name)
        delta = round(vb - va, 4) if va is not None and vb is not None else None
        better = None if not delta else (delta > 0) == higher
        deltas.append(MetricDelta(name=name, a=va, b=vb, delta=delta, better=better))
    return Comparison(
        a=a.run,
        b=b.run,
        cases=changes,
        metrics=deltas,
        regressions=sum(c.change == "regression" for c in changes),
        improvements=sum(c.change == "improvement" for c in changes),
        prompts_changed=a.run.prompts_hash != b.run.prompts_hash,
        settings_changed=settings_changed(a.run, b.run),
    )


# ---- meta-evaluation ----------------------------------------------------------------


class MetaExample(BaseModel):
    """A stored feedback labelled by hand: ``good`` must pass every check of its
    fixture, ``bad`` must fail exactly the check kinds in ``fails``."""

    model_config = ConfigDict(extra="forbid")

    fixture: str
    label: Literal["good", "bad"]
    why: str = ""
    fails: list[CheckKind] = Field(default_factory=list)
    feedback: Feedback

    @model_validator(mode="after")
    def _fails_only_for_bad(self) -> MetaExample:
        if self.label == "bad" and not self.fails:
            raise ValueError("a bad example must list the check kinds it fails")
        if self.label == "good" and self.fails:
            raise ValueError("a good example fails nothing")
        return self


def load_meta(path: Path) -> list[MetaExample]:
    """Labelled feedback from the ``labelled*.yaml`` files under ``path``; any problem
    raises (these files are ours, a broken one must be fixed, not skipped)."""
    import yaml

    examples: list[MetaExample] = []
    for file in sorted(path.rglob("labelled*.yaml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or []
        for i, entry in enumerate(data if isinstance(data, list) else [data]):
            try:
                examples.append(MetaExample.model_validate(entry))
            except ValidationError as exc:
                raise FixtureError(f"{file}: entry {i + 1}: {_describe(exc.errors()[0])}") from None
    return examples
