"""The interview loop as a library: plan questions, read answers, grade them, ask
follow-ups on the weak spots, save every turn as it happens and update the FSRS
cards. It never prints: everything the user sees goes through a ``SessionIO``
that the CLI implements (and tests can implement too).

Answers: an answer ends with a line holding only ``.``; interactively, two empty
lines in a row end it too. A first line that is an in-session command acts at
once: ``/hint`` (reveal a key point, counted against the score), ``/skip``,
``/repeat``, ``/more`` (the last feedback in full) and ``/quit``.

The answer being typed is saved line by line in a ``DraftStore``: after Ctrl-C, a
crash or ``kill -9``, resuming offers it back (keep it, edit it or start over).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Literal, Protocol

from pydantic import BaseModel

from interviewer.drafts import Draft, DraftStore
from interviewer.errors import CorpusError, InterviewerError, LLMError, StoreError
from interviewer.feedback import Feedback, Point
from interviewer.scheduling import CardState, corpus_key, plan_questions, review
from interviewer.store import (
    FollowUpRecord,
    PlannedQuestion,
    SessionOptions,
    SessionRecord,
    SessionStatus,
    SessionStore,
    Transcript,
    TurnRecord,
    new_session_id,
    utcnow,
)

if TYPE_CHECKING:
    from interviewer.grading import Grader, KeyPoint, Question
    from interviewer.settings import Settings

Command = Literal["hint", "skip", "repeat", "more", "quit", "unknown"]
COMMANDS: dict[str, Command] = {
    "/hint": "hint",
    "/skip": "skip",
    "/repeat": "repeat",
    "/more": "more",
    "/quit": "quit",
    "/exit": "quit",
}
COMMAND_HELP = "/hint, /skip, /repeat, /more, /quit"
DraftChoice = Literal["keep", "edit", "discard"]
END_MARK = "."


# ---- reading answers ------------------------------------------------------------------
def parse_command(text: str) -> Command | None:
    """The in-session command a whole answer stands for, if any. Only an answer made
    of a single ``/word`` is a command, so answers that mention paths stay answers."""
    stripped = text.strip()
    if not stripped.startswith("/") or len(stripped.split()) != 1:
        return None
    return COMMANDS.get(stripped.lower(), "unknown")


class AnswerDraft:
    """Where ``AnswerReader.read`` starts from and where it reports each line.

    ``lines``: a draft offered back and kept (the answer goes on after it) or, with
    ``edit``, shown line by line to be edited. ``on_change`` gets the whole answer so
    far after every line (the draft store writes it to disk)."""

    def __init__(
        self,
        lines: list[str] | None = None,
        *,
        edit: bool = False,
        on_change: Callable[[list[str]], None] | None = None,
    ) -> None:
        self.lines = list(lines or [])
        self.edit = edit
        self.on_change = on_change


class AnswerReader:
    """Collects the lines of one answer.

    ``readline(prompt, prefill)`` returns a line without its newline, or ``None`` at
    end of input (``prefill``: text to offer for editing, where the terminal can). A
    line holding only ``.`` ends the answer; when ``interactive``, two empty lines in a
    row end it too (a single empty line separates paragraphs). A first typed line
    that is a command ends the answer at once. Ctrl-C raises ``KeyboardInterrupt``;
    when it carries a ``partial`` attribute (the line being typed), that line is
    reported to ``on_change`` first, so it lands in the draft."""

    def __init__(
        self,
        readline: Callable[[str, str | None], str | None],
        *,
        interactive: bool,
        first_prompt: str = "> ",
        more_prompt: str = "  ",
    ) -> None:
        self.readline = readline
        self.interactive = interactive
        self.first_prompt = first_prompt
        self.more_prompt = more_prompt

    def read(self, draft: AnswerDraft | None = None) -> str | None:
        """The answer's text, or ``None`` at end of input with nothing typed."""
        draft = draft or AnswerDraft()
        lines: list[str] = [] if draft.edit else list(draft.lines)
        to_edit: list[str] = list(draft.lines) if draft.edit else []
        added = 0  # lines typed into this answer by this call
        empty_run = 0

        def changed() -> None:
            if draft.on_change is not None:
                draft.on_change(lines + to_edit)

        while True:
            prefill = to_edit.pop(0) if to_edit else None
            try:
                line = self.readline(self.first_prompt if not lines else self.more_prompt, prefill)
            except KeyboardInterrupt as exc:
                partial = getattr(exc, "partial", "") or ""
                if prefill is not None:
                    to_edit.insert(0, partial if partial.strip() else prefill)
                elif partial.strip():
                    lines.append(partial.rstrip())
                changed()
                raise
            if line is None or line.strip() == END_MARK:
                # Draft lines not yet gone through (the one on screen too) stay as
                # they were: sending early never drops them.
                rest = ([prefill] if prefill is not None else []) + to_edit
                text = "\n".join(lines + rest).strip()
                return None if line is None and not text else text
            if not lines and not line.strip():
                if self.interactive:
                    empty_run += 1
                    if empty_run >= 2:
                        return ""
                continue
            if not added and parse_command(line) is not None:
                if prefill is not None:
                    to_edit.insert(0, prefill)
                return line.strip()
            if self.interactive and not line.strip():
                empty_run += 1
                if empty_run >= 2:
                    return "\n".join(lines + to_edit).strip()
            else:
                empty_run = 0
            lines.append(line.rstrip())
            added += 1
            changed()


# ---- what the session shows -----------------------------------------------------------
class AskedQuestion(BaseModel):
    """A question (or follow-up) as put to the user."""

    kind: Literal["question", "follow_up"] = "question"
    number: int
    total: int
    follow_up: int = 0
    text: str
    topic: str = ""
    heading: str = ""
    source: str = ""
    notes_status: Literal["ok", "stub", "none"] = "ok"
    repeated: bool = False


class SessionIO(Protocol):
    """Everything the user sees and types. The library calls these in order; the
    CLI renders them (results to stdout, or all to stderr with --json)."""

    def notice(self, message: str) -> None:
        """Said once per session (e.g. which engine grades)."""

    def info(self, message: str) -> None:
        """A short remark: skipped, no more hints, unknown command..."""

    def ask(self, question: AskedQuestion) -> None: ...

    def read_answer(self, draft: AnswerDraft | None = None) -> str | None:
        """One answer (see ``AnswerReader``), or ``None`` at end of input."""

    def offer_draft(self, draft: Draft) -> DraftChoice:
        """An unfinished answer to the question just asked was found: keep it (and go
        on typing), edit it, or discard it and start over."""

    def more(self, feedback: Feedback | None) -> None:
        """``/more``: the last feedback in full (``None``: no feedback yet)."""

    def hint(self, point: KeyPoint, number: int) -> None: ...

    def feedback(self, feedback: Feedback, stage: Literal["grounded", "model"]) -> None:
        """The grounded feedback first; with a model, the refined one after its
        critique has streamed in."""

    def critique_start(self) -> None: ...

    def token(self, text: str) -> None:
        """A piece of the model's critique as it is generated."""


class EngineStatus(BaseModel):
    engine: str = "grounded"
    use_llm: bool = False
    notice: str | None = None


class SessionOutcome(BaseModel):
    transcript: Transcript
    ended: Literal["finished", "quit", "eof"]


# ---- engine and plan ------------------------------------------------------------------
def engine_status(settings: Settings) -> EngineStatus:
    """Whether the model layer can run, and (when not) the one notice to show. Asks
    the Ollama server for its models: fast, and fails fast when nothing listens."""
    core = "grading runs on the grounded core (your notes only)"
    serve = f"start Ollama (`ollama serve`) with a model (`ollama pull {settings.model}`)"
    if not settings.use_llm:
        return EngineStatus(
            notice=f"Model layer off: {core}. For the model's critique too, {serve} and "
            "leave out --no-llm."
        )
    from interviewer.llm import LLMUnreachableError, base_url, has_model, list_models

    try:
        models = list_models(settings.ollama_host, timeout_s=settings.connect_timeout_s)
    except LLMError as exc:
        reason = (
            f"Ollama is not reachable at {base_url(settings.ollama_host)}"
            if isinstance(exc, LLMUnreachableError)
            else str(exc).splitlines()[0]
        )
        return EngineStatus(
            notice=f"{reason}: {core}. For the model's critique too, {serve}, or pass "
            "--no-llm to skip this check."
        )
    if not has_model(settings.model, models):
        return EngineStatus(
            notice=f"Ollama does not serve {settings.model!r}: {core}. For the model's "
            f"critique too, run `ollama pull {settings.model}` or pick a served model with "
            "--model."
        )
    return EngineStatus(engine=f"ollama:{settings.model}", use_llm=True)


def start_session(
    grader: Grader,
    store: SessionStore,
    settings: Settings,
    options: SessionOptions,
    *,
    engine: str = "grounded",
    now: datetime | None = None,
) -> SessionRecord:
    """Plan a new session (due and weak questions first, then unseen ones) and save it."""
    topics = options.topics or None
    questions = grader.questions(topics)
    if not questions:
        if topics:
            raise unknown_topic(topics, [q.topic for q in grader.questions()])
        raise CorpusError(
            f"{settings.corpus_dir}: no questions in the notes (no heading, bold line, "
            "Q:/A: pair or list item that asks something, and no topic heading with notes)"
        )
    key = corpus_key(settings)
    plan = plan_questions(
        questions, store.cards(key), options.questions, now=now, seed=options.seed
    )
    now = now or utcnow()
    record = SessionRecord(
        id=new_session_id(now),
        corpus=key,
        corpus_dir=str(settings.corpus_dir.resolve()),
        status="active",
        created_at=now,
        updated_at=now,
        engine=engine,
        options=options,
        plan=[PlannedQuestion(id=q.id, text=q.text, topic=q.topic) for q in plan],
    )
    return store.create_session(record)


MAX_TOPICS_LISTED = 40


def unknown_topic(asked: list[str], topics: list[str | None]) -> CorpusError:
    """The one error for a topic that matches nothing (`interview`, `questions`)."""
    known = sorted({t for t in topics if t}, key=str.lower)
    return CorpusError(f"no questions for topic {', '.join(asked)}; topics: {list_topics(known)}")


def list_topics(topics: list[str], limit: int = MAX_TOPICS_LISTED) -> str:
    """Every topic, or the first ``limit`` and how many more: never a silent cut."""
    if not topics:
        return "none"
    shown = ", ".join(topics[:limit])
    return shown if len(topics) <= limit else f"{shown}, …and {len(topics) - limit} more"


def resumable_session(
    store: SessionStore, ref: str | None = None, corpus: str | None = None
) -> SessionRecord:
    """The session ``resume`` continues: ``ref`` (id or prefix), else the newest
    unfinished one of ``corpus`` (a corpus key), else the newest unfinished one."""
    if ref is not None:
        record = store.resolve(ref)
        if record.status == "finished":
            raise StoreError(
                f"session {record.id} is finished; start a new one: interviewer interview"
            )
        return record
    record_or_none = store.last_resumable(corpus) if corpus is not None else None
    if record_or_none is None:
        record_or_none = store.last_resumable()
    if record_or_none is None:
        raise StoreError("no unfinished session to resume; start one with `interviewer interview`")
    return record_or_none


# ---- the loop -------------------------------------------------------------------------
_Flow = Literal["next", "quit", "eof"]
_NEXT: _Flow = "next"


class Interview:
    """Runs (or resumes) one saved session to its end, to ``/quit`` or end of input.

    Every graded answer is committed before anything else happens; on Ctrl-C the
    session is marked interrupted and ``KeyboardInterrupt`` propagates."""

    def __init__(
        self,
        grader: Grader,
        store: SessionStore,
        io: SessionIO,
        record: SessionRecord,
        *,
        engine: EngineStatus | None = None,
        drafts: DraftStore | None = None,
    ) -> None:
        self.grader = grader
        self.store = store
        self.io = io
        self.record = record
        self.engine = engine or EngineStatus()
        self.drafts = drafts or DraftStore(store.path.parent / "drafts")
        # An answer left unfinished by the last run, offered back when its question
        # (or follow-up) is asked again.
        self._left_draft: Draft | None = self.drafts.load(record.id)
        self._last_feedback: Feedback | None = None
        self._draft_problem_told = False

    # -- public ------------------------------------------------------------------------
    def run(self) -> SessionOutcome:
        if self.engine.notice:
            self.io.notice(self.engine.notice)
        self.record = self.store.update_session(
            self.record.model_copy(update={"status": "active", "engine": self.engine.engine})
        )
        try:
            ended = self._run()
        except KeyboardInterrupt:
            self.store.set_status(self.record.id, "interrupted")
            raise
        except BaseException:
            # A crash leaves the session resumable; what was graded is saved.
            self.store.set_status(self.record.id, "stopped")
            raise
        transcript = self.store.transcript(self.record.id)
        status: SessionStatus = "finished" if not transcript.remaining() else "stopped"
        if status == "finished":
            self.drafts.discard(self.record.id)
        self.record = self.store.set_status(self.record.id, status)
        return SessionOutcome(
            transcript=self.store.transcript(self.record.id),
            ended="quit" if ended == "quit" else "eof" if ended == "eof" else "finished",
        )

    # -- internals ---------------------------------------------------------------------
    def _run(self) -> _Flow:
        turns = self.store.turns(self.record.id)
        done = {t.index for t in turns}
        by_id = {q.id: q for q in self.grader.questions()}
        total = len(self.record.plan)
        if turns:
            # Resuming: a follow-up that was showing when the session stopped is asked
            # again before the next question.
            flow = self._pending_follow_ups(max(turns, key=lambda t: t.index), by_id)
            if flow != _NEXT:
                return flow
        for index, planned in enumerate(self.record.plan):
            if index in done:
                continue
            question = by_id.get(planned.id)
            if question is None:
                # The notes changed since the session was planned.
                self.io.info(f"no longer in your notes, skipped: {planned.text}")
                self._save_turn(
                    TurnRecord(
                        index=index,
                        question_id=planned.id,
                        question=planned.text,
                        topic=planned.topic,
                        skipped=True,
                    )
                )
                continue
            flow = self._ask_question(index, total, question)
            if flow != _NEXT:
                return flow
        return _NEXT

    def _read(
        self, asked: AskedQuestion, question: Question
    ) -> tuple[_Flow | Literal["skip"], str, int]:
        """Show the question and read until an answer, a skip, a quit or EOF.
        Returns (what happened, answer, hints used). Every line typed is saved in the
        draft store; a draft left for this question by an earlier run is offered."""
        self.io.ask(asked)
        turn, follow = asked.number - 1, asked.follow_up
        start: list[str] = []
        edit = False
        left = self._left_draft
        if left is not None and left.key() == (turn, follow):
            self._left_draft = None
            choice = self.io.offer_draft(left)
            if choice == "discard":
                self.drafts.discard(self.record.id)
            else:
                start, edit = list(left.lines), choice == "edit"
        writer = self.drafts.writer(self.record.id, turn, follow, asked.text, start=start)
        hints = 0
        while True:
            raw = self.io.read_answer(AnswerDraft(start, edit=edit, on_change=writer.update))
            if self.drafts.problem and not self._draft_problem_told:
                self._draft_problem_told = True
                self.io.info(f"{self.drafts.problem}; answers are saved once graded")
            if raw is None:
                return "eof", "", hints
            command = parse_command(raw)
            if command == "quit":
                return "quit", "", hints
            if command == "skip":
                writer.clear()
                return "skip", "", hints
            if command == "repeat":
                self.io.ask(asked.model_copy(update={"repeated": True}))
                continue
            if command == "more":
                self.io.more(self._last_feedback)
                continue
            if command == "hint":
                point = self.grader.hint(question, hints)
                if point is None:
                    self.io.info("no more hints for this question")
                else:
                    hints += 1
                    self.io.hint(point, hints)
                continue
            if command == "unknown":
                self.io.info(f"unknown command {raw.strip()!r}; commands: {COMMAND_HELP}")
                continue
            if not raw.strip():
                self.io.info(
                    f"empty answer: type your answer and end it with a line '{END_MARK}', "
                    "or /skip"
                )
                continue
            return "next", raw.strip(), hints

    def _ask_question(self, index: int, total: int, question: Question) -> _Flow:
        asked = AskedQuestion(
            number=index + 1,
            total=total,
            text=question.text,
            topic=question.topic,
            heading=question.heading,
            source=question.source,
            notes_status=question.notes_status,
        )
        flow, answer, hints = self._read(asked, question)
        base = TurnRecord(
            index=index,
            question_id=question.id,
            question=question.text,
            topic=question.topic,
            hints_used=hints,
        )
        if flow == "skip":
            self._save_turn(base.model_copy(update={"skipped": True}))
            self.io.info("skipped")
            return _NEXT
        if flow != _NEXT:
            return flow
        turn = base.model_copy(update={"answer": answer})
        prior = self.store.card(self.record.corpus, question.id)

        def save(feedback: Feedback) -> None:
            # An ungrounded grade (no notes to grade against) says nothing about what
            # the user knows: it must not schedule the card as a failure.
            card = (
                review(
                    prior,
                    corpus=self.record.corpus,
                    question_id=question.id,
                    score=feedback.score,
                    question=question.text,
                    topic=question.topic,
                )
                if feedback.grounded
                else None
            )
            self._save_turn(turn.model_copy(update={"feedback": feedback}), card)
            # Saved with its grade: the draft has done its job (before the model's
            # critique, which Ctrl-C may cut short).
            self.drafts.discard(self.record.id)

        feedback = self._grade(question, answer, hints, save)
        return self._follow_ups(index, question, feedback)

    def _grade(
        self,
        question: Question,
        answer: str,
        hints: int,
        save: Callable[[Feedback], None],
        *,
        asked: str | None = None,
    ) -> Feedback:
        """Grounded feedback (saved and shown at once), then, with a model, its
        critique streamed in and the refined feedback saved over it. ``asked``: the
        follow-up text when it differs from ``question.text``."""
        grounded = self.grader.grade_grounded(question, answer, hints_used=hints)
        if asked is not None:
            # Follow-ups are not chained: no follow-up of a follow-up.
            grounded = grounded.model_copy(update={"question": asked, "follow_up": None})
        save(grounded)
        self.io.feedback(grounded, "grounded")
        self._last_feedback = grounded
        if not self.engine.use_llm:
            return grounded
        self.io.critique_start()
        for_model = question if asked is None else question.model_copy(update={"text": asked})
        try:
            refined = self.grader.refine_with_llm(
                grounded, for_model, answer, on_token=self.io.token
            )
        except InterviewerError as exc:
            # The grounded result stands; say why the model added nothing.
            refined = grounded.model_copy(update={"model_error": str(exc).splitlines()[0]})
        if asked is not None:
            refined = refined.model_copy(update={"question": asked, "follow_up": None})
        save(refined)
        self.io.feedback(refined, "model")
        self._last_feedback = refined
        return refined

    def _pending_follow_ups(self, last: TurnRecord, by_id: dict[str, Question]) -> _Flow:
        question = by_id.get(last.question_id)
        if question is None or last.skipped or last.feedback is None:
            return _NEXT
        if any(f.skipped for f in last.follow_ups):
            return _NEXT
        return self._follow_ups(last.index, question, last.feedback, start=len(last.follow_ups))

    def _follow_ups(
        self, index: int, question: Question, feedback: Feedback, *, start: int = 0
    ) -> _Flow:
        """Up to ``follow_ups`` questions on the weak spots of the answer: missed key
        points, most important first, then partly covered ones. Each is graded against
        that point's material. None when the grader sees no need (a good score, or
        "I don't know").
        ``start``: how many were already answered (when resuming)."""
        limit = self.record.options.follow_ups
        if limit <= 0 or not feedback.grounded or question.notes_status != "ok":
            return _NEXT
        if feedback.dont_know:
            # "I don't know" got the points to learn: asking about one of them would
            # ask the question again. On to the next one (``/more`` shows them again).
            return _NEXT
        targets = [(p, True) for p in feedback.missed] + [(p, False) for p in feedback.partial]
        for k in range(min(limit, len(targets))):
            text = self._follow_up_text(feedback, targets, first=k == 0)
            if not text:
                break
            # The follow-up is graded on the point it asks about, which need not be the
            # first missed one (the grader asks about one it can name; a model words its own).
            target = self._follow_up_target(feedback, targets, text)
            targets = [t for t in targets if t[0] is not target]
            if k < start:
                continue  # asked before the session was resumed: its point is done
            fq = follow_up_question(question, target, k + 1)
            asked = AskedQuestion(
                kind="follow_up",
                number=index + 1,
                total=len(self.record.plan),
                follow_up=k + 1,
                text=text,
                topic=question.topic,
                heading=target.citation.heading if target.citation else question.heading,
                source=target.citation.source if target.citation else question.source,
            )
            flow, answer, hints = self._read(asked, fq)
            record = FollowUpRecord(index=k, question=text, hints_used=hints)
            if flow == "skip":
                self.store.save_follow_up(
                    self.record.id, index, record.model_copy(update={"skipped": True})
                )
                self.io.info("follow-ups skipped")
                return _NEXT
            if flow != _NEXT:
                return flow
            record = record.model_copy(update={"answer": answer})

            def save(fb: Feedback, record: FollowUpRecord = record) -> None:
                self.store.save_follow_up(
                    self.record.id, index, record.model_copy(update={"feedback": fb})
                )
                self.drafts.discard(self.record.id)

            self._grade(fq, answer, hints, save, asked=text)
        return _NEXT

    def _follow_up_text(
        self, feedback: Feedback, remaining: list[tuple[Point, bool]], *, first: bool
    ) -> str | None:
        if first and feedback.follow_up:
            return feedback.follow_up
        rest = feedback.model_copy(
            update={
                "missed": [p for p, missed in remaining if missed],
                "partial": [p for p, missed in remaining if not missed],
                "follow_up": None,
            }
        )
        return self.grader.follow_up_for(rest)

    def _follow_up_target(
        self, feedback: Feedback, remaining: list[tuple[Point, bool]], text: str
    ) -> Point:
        """The weak point a follow-up's ``text`` asks about: the one the grader words
        that text from; else (a model's wording) the one sharing most words with it;
        else the most important one."""
        for point, missed in remaining:
            alone = feedback.model_copy(
                update={
                    "missed": [point] if missed else [],
                    "partial": [] if missed else [point],
                    "follow_up": None,
                }
            )
            if self.grader.follow_up_for(alone) == text:
                return point
        from interviewer.text import stem_set

        asked = stem_set(text) - stem_set(feedback.question)
        best = max(remaining, key=lambda t: len(asked & stem_set(t[0].text)))
        return best[0] if asked & stem_set(best[0].text) else remaining[0][0]

    def _save_turn(self, turn: TurnRecord, card: CardState | None = None) -> None:
        self.store.save_turn(self.record.id, turn, card)


def follow_up_question(question: Question, weak: Point, number: int) -> Question:
    """A follow-up as a question graded against the weak point's material only: the
    question's own key point (matched by text, so its key terms come along), or one
    made from the point. The text stays the original question's: its words weigh
    little in the lexical match, and the follow-up's text repeats the point's words."""
    from interviewer.grading import KeyPoint

    match = next((kp for kp in question.key_points if kp.text == weak.text), None)
    if match is None:
        match = KeyPoint(
            id=f"{question.id}#weak-{number}",
            text=weak.text,
            citation=weak.citation or question.citation,
            importance=weak.importance,
        )
    return question.model_copy(
        update={
            "id": f"{question.id}#follow-up-{number}",
            "key_points": [match],
            "citation": match.citation,
        }
    )
