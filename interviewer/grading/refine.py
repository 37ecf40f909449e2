"""The optional model layer: the critique's schema, prompts, and merging what it
says into the grounded feedback after checking it against the notes."""

from __future__ import annotations

import contextlib
import difflib
import json
import re
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from interviewer.errors import ConfigError, LLMError
from interviewer.feedback import Citation, IncorrectClaim, Point
from interviewer.grading.coverage import gradable_points
from interviewer.grading.free_text import _unique_citations, cit_key, context_sections
from interviewer.grading.groups import final_score
from interviewer.grading.terms import is_instruction
from interviewer.model_checks import backed_by_notes, follow_up_on_notes
from interviewer.text import clip, stem_set

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from interviewer.feedback import Feedback
    from interviewer.grading.grader import Grader
    from interviewer.grading.models import Question
    from interviewer.settings import Settings



class ModelIncorrect(BaseModel):
    claim: str = Field(description="The answer's wrong or imprecise claim, quoted exactly.")
    correction: str = Field(description="What is right, briefly.")
    source_id: str | None = Field(
        default=None, description="Id of the retrieved section that shows it, e.g. S2."
    )


class ModelDisputed(BaseModel):
    point_id: str = Field(description="Id of a missed point, e.g. M1.")
    answer_quote: str = Field(description="The words of the answer that make this point.")


class ModelCritique(BaseModel):
    """What the model returns: checked against the retrieved sections before use."""

    critique: str = Field(description="Two to four sentences of feedback to the candidate.")
    incorrect: list[ModelIncorrect] = Field(default_factory=list)
    agree_missed: list[str] = Field(
        default_factory=list, description="Ids (M1, M2, ...) of missed points you agree with."
    )
    disputed_missed: list[ModelDisputed] = Field(default_factory=list)
    follow_up: str | None = Field(default=None, description="One natural follow-up question.")


SYSTEM_PROMPT = "grading_system.md"
CRITIQUE_PROMPT = "critique.md"
SECTION_CHARS = 1500
CONTEXT_CHARS = 6000
MAX_MODEL_CLAIMS = 5
QUOTE_MATCH = 0.8


def _load_prompt(settings: Settings, name: str) -> str:
    path = settings.prompts_dir / name
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: prompt file is missing ({exc.strerror})") from exc


def _data(text: str) -> str:
    """Untrusted text inside our tags: it cannot close them."""
    return re.sub(
        r"</?\s*(question|answer|section|assessment)\b[^>]*>", "[tag removed]", text, flags=re.I
    )


def build_messages(
    settings: Settings,
    q: Question,
    answer: str,
    grounded: Feedback,
    sections: list[tuple[str, str, Citation]],
) -> tuple[list[Any], dict[str, Citation], dict[str, Point]]:
    """The prompt (system + user), the section ids it shows, and the missed-point ids."""
    from string import Template

    from interviewer.llm import Message

    ids: dict[str, Citation] = {}
    blocks: list[str] = []
    budget = CONTEXT_CHARS
    for n, (text, heading, cit) in enumerate(sections, start=1):
        sid = f"S{n}"
        body = clip(text, min(SECTION_CHARS, max(200, budget)), lines=True)
        budget -= len(body)
        ids[sid] = cit
        where = cit.url if cit.kind == "reference" and cit.url else cit.source
        origin = f"{_data(where)} § {_data(heading)}"
        blocks.append(f'<section id="{sid}" from="{origin}">\n{_data(body)}\n</section>')
        if budget <= 0:
            break
    missed_ids = {f"M{i}": p for i, p in enumerate(grounded.missed, start=1)}

    def listing(items: list[str]) -> str:
        return "\n".join(items) if items else "(none)"

    user = Template(_load_prompt(settings, CRITIQUE_PROMPT)).safe_substitute(
        question=_data(q.text),
        sections="\n".join(blocks) if blocks else "(no sections: the notes have nothing on this)",
        answer=_data(answer.strip()) or "(empty)",
        covered=listing(
            [f"- {_data(clip(p.text, 160))}" for p in grounded.covered + grounded.partial]
        ),
        missed=listing([f"- {mid}: {_data(clip(p.text, 200))}" for mid, p in missed_ids.items()]),
        incorrect=listing([f"- {_data(c.text)}" for c in grounded.incorrect]),
    )
    system = _load_prompt(settings, SYSTEM_PROMPT)
    return [Message.system(system.strip()), Message.user(user.strip())], ids, missed_ids


def _quoted_in(quote: str, answer: str) -> bool:
    """The model's quote is (nearly) words of the answer, not its own paraphrase."""
    q, a = (" ".join(re.findall(r"\w+", t.lower())) for t in (quote, answer))
    if not q or len(q) < 8:
        return False
    if q in a:
        return True
    matcher = difflib.SequenceMatcher(None, q, a, autojunk=False)
    block = matcher.find_longest_match(0, len(q), 0, len(a))
    return block.size >= QUOTE_MATCH * len(q)


# Where the critique's string opens in a JSON reply, and where it ends: at the first
# quote after an even number of backslashes.
_CRITIQUE_OPENS = re.compile(r'"critique"\s*:\s*"')
_STRING_ENDS = re.compile(r'(?:^|[^\\])(?:\\\\)*"')


class _CritiqueStream:
    """Passes the "critique" string of a JSON reply to ``on_token`` as it arrives."""

    def __init__(self, on_token: Callable[[str], None]) -> None:
        self.on_token = on_token
        self.buffer = ""
        self.shown = 0  # characters of the decoded string passed on
        self.done = False

    @property
    def sent(self) -> bool:
        return self.shown > 0

    def __call__(self, piece: str) -> None:
        self.buffer += piece
        opens = _CRITIQUE_OPENS.search(self.buffer)
        if self.done or opens is None:
            return
        raw = self.buffer[opens.end() :]
        if ends := _STRING_ENDS.search(raw):
            raw, self.done = raw[: ends.end() - 1], True
        else:
            # (An escape still arriving waits, as does the first half of a surrogate pair.)
            raw = re.sub(r"\\(?:u[0-9a-fA-F]{0,3})?$", "", raw)
            raw = re.sub(r"\\u[dD][89abAB][0-9a-fA-F]{2}$", "", raw)
        try:
            text = json.loads(f'"{raw}"', strict=False)
        except ValueError:
            return
        if len(text) > self.shown:
            self.on_token(text[self.shown :])
            self.shown = len(text)


def _refine(
    grader: Grader,
    grounded: Feedback,
    q: Question,
    answer: str,
    on_token: Callable[[str], None] | None,
) -> Feedback:
    llm = grader.llm
    if llm is None:
        return grounded
    from interviewer.llm import _strip_fences, ping

    if not ping(grader.settings.ollama_host, grader.settings.connect_timeout_s):
        # Fail fast: gathering the model's context may build the index first.
        from interviewer.llm import INSTALL_HINT, base_url

        where = base_url(grader.settings.ollama_host)
        return grounded.model_copy(
            update={"model_error": f"Ollama is not reachable at {where}: {INSTALL_HINT}"}
        )
    sections = context_sections(grader, q)
    messages, ids, missed_ids = build_messages(grader.settings, q, answer, grounded, sections)
    stream = _CritiqueStream(on_token) if on_token is not None else None
    try:
        critique: ModelCritique | None = None
        error: str | None = None
        if stream is not None:
            # Stream the first attempt so the prose appears as it is written; an
            # invalid reply falls back to the validated call (which retries once).
            gen = llm.generate(messages, format=ModelCritique.model_json_schema(), on_token=stream)
            if not gen.truncated:
                with contextlib.suppress(ValueError):
                    critique = ModelCritique.model_validate_json(_strip_fences(gen.text).strip())
        if critique is None:
            result = llm.structured(messages, ModelCritique)
            if result.ok and result.value is not None:
                critique = result.value
                if stream is not None and not stream.sent and critique.critique:
                    on_token(critique.critique)  # type: ignore[misc]
            else:
                error = result.error or "the model gave no usable critique"
    except LLMError as exc:
        return grounded.model_copy(update={"model_error": str(exc).splitlines()[0]})
    if critique is None:
        return grounded.model_copy(update={"model_error": error})
    texts = {cit_key(cit): text for text, _, cit in sections}
    return merge_critique(grader, grounded, q, answer, critique, ids, missed_ids, llm.name, texts)


def _same_claim(norm: str, text: str) -> bool:
    other = " ".join(text.lower().split())
    return norm in other or other in norm


def merge_critique(
    grader: Grader,
    grounded: Feedback,
    q: Question,
    answer: str,
    critique: ModelCritique,
    ids: dict[str, Citation],
    missed_ids: dict[str, Point],
    model_name: str,
    sections_text: dict[tuple[str, str, str | None], str],
) -> Feedback:
    """The grounded feedback, refined by what of the model's critique holds up:
    - a wrong claim must quote the answer (else it is dropped); it keeps a citation
      only when its source_id is a section the model was shown (else in_notes=False);
    - a missed point moves to partly covered only when the model quotes the answer
      making it; the score is recomputed from the statuses;
    - a claim that a grounded rule only found to check (``to_check``) and the model
      also calls wrong is confirmed: it becomes a wrong claim;
    - the follow-up must be one question; the prose replaces the templated critique."""
    incorrect = list(grounded.incorrect)
    to_check = list(grounded.to_check)
    known = {" ".join(c.text.lower().split()) for c in incorrect}
    added_with_evidence = 0
    for item in critique.incorrect[:MAX_MODEL_CLAIMS]:
        claim = item.claim.strip()
        if not claim or not _quoted_in(claim, answer) or is_instruction(claim):
            continue
        norm = " ".join(claim.lower().split())
        if norm in known:
            continue
        confirmed = next((c for c in to_check if _same_claim(norm, c.text)), None)
        if confirmed is not None:
            to_check.remove(confirmed)
            incorrect.append(confirmed.model_copy(update={"advisory": False}))
            known.add(norm)
            added_with_evidence += 1
            continue
        cit = ids.get((item.source_id or "").strip().strip("[]").upper())
        if cit is not None and not (
            stem_set(claim + " " + item.correction) & stem_set(sections_text.get(cit_key(cit), ""))
        ):
            cit = None  # the cited section says nothing about it: not evidence
        # (hook: interviewer/model_checks.py) the notes say the claim in its own words
        if backed_by_notes(claim, grounded, sections_text.values()):
            to_check.append(IncorrectClaim(text=claim, correction=clip(item.correction.strip(),
                400), citation=cit, in_notes=cit is not None, source="model", advisory=True))
            known.add(norm)
            continue
        incorrect.append(
            IncorrectClaim(
                text=claim,
                correction=clip(item.correction.strip(), 400),
                citation=cit,
                in_notes=cit is not None,
                source="model",
            )
        )
        known.add(norm)
        added_with_evidence += cit is not None

    moved: list[Point] = []
    qterms = stem_set(q.text)
    for d in critique.disputed_missed:
        point = missed_ids.get(d.point_id.strip().strip("[]").upper())
        if point is None or point in moved or not _quoted_in(d.answer_quote, answer):
            continue
        # The quote must be about the point: a shared key word or a close meaning.
        related = bool((stem_set(d.answer_quote) - qterms) & (stem_set(point.text) - qterms))
        if not related:
            vecs = grader._embed_many([d.answer_quote, point.text])
            related = float(vecs[0] @ vecs[1]) >= grader.params.sim_partial
        if related:
            moved.append(point.model_copy(update={"evidence": d.answer_quote.strip()}))
    moved_texts = {p.text for p in moved}
    missed = [p for p in grounded.missed if p.text not in moved_texts]
    partial = list(grounded.partial) + moved

    score = grounded.score
    if moved or added_with_evidence:
        # Partly covered compound points keep the share of their parts the grounded
        # grade found made (a point moved here was missed: a plain "partly").
        by_text = {p.text: 2 for p in grounded.covered}
        by_text.update({p.text: 1 for p in partial})
        shares = {p.text: p.credit for p in partial if p.credit is not None}
        points = gradable_points(q)
        score = final_score(
            grader, q, points, {kp.id: by_text.get(kp.text, 0) for kp in points},
            grounded.hints_used, {kp.id: shares[kp.text] for kp in points if kp.text in shares},
            sum(1 for c in incorrect if c.source == "grounded" or c.citation is not None),
            # Only a rule trusted to penalise caps: not a model's flag, nor an advisory
            # rule's that the model confirmed.
            capped=bool(grounded.incorrect),
        )  # fmt: skip

    follow_up = grounded.follow_up
    fq = (critique.follow_up or "").strip()
    well_formed = fq.endswith("?") and len(fq) <= 300 and fq.count("?") <= 2 and "<" not in fq
    well_formed = well_formed and follow_up_on_notes(fq, grounded, sections_text.values())
    # (No follow-up after "I don't know": the interview goes on.)
    if well_formed and not grounded.dont_know and (
        grounded.follow_up is not None or score < grader.params.follow_up_below
    ):
        follow_up = fq
    prose = critique.critique.strip()
    citations = _unique_citations(
        list(grounded.citations) + [c.citation for c in incorrect if c.citation]
    )
    return grounded.model_copy(
        update={
            "score": score,
            "partial": partial,
            "missed": missed,
            "incorrect": incorrect,
            "to_check": to_check,
            "follow_up": follow_up,
            "critique": clip(prose, 1500) if prose else grounded.critique,
            "citations": citations,
            "engine": f"ollama:{model_name}",
            "model_error": None,
        }
    )
