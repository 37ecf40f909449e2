"""Model wording for topic units. A topic heading ("Load balancer") is asked in our
own template wording; when a model is available it may word the question from the
unit's own notes instead. Each wording is checked (one question, short, about the
heading's subject) and cached beside the index by the unit's content hash, so the
model is asked once per version of the notes. A question the notes wrote is never
replaced: only units of kind ``topic`` are worded."""

from __future__ import annotations

import hashlib
import json
import re
import string
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from interviewer.errors import ConfigError
from interviewer.files import write_atomic

if TYPE_CHECKING:
    from interviewer.grading.models import Question
    from interviewer.llm import LLM
    from interviewer.settings import Settings

PROMPT = "topic_question.md"
CACHE_FILE = "unit-questions.json"
MAX_WORDS = 25
MAX_NOTES_CHARS = 2500


class Wording(BaseModel):
    question: str


def content_hash(q: Question) -> str:
    """What the wording depends on: the heading and the notes' key points."""
    key = json.dumps([q.heading, [kp.text for kp in q.key_points]], ensure_ascii=False)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def _cache_path(settings: Settings) -> Path:
    return settings.index_dir / CACHE_FILE


def read_cache(settings: Settings) -> dict[str, str]:
    path = _cache_path(settings)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ0-9]+", text) if len(w) > 2}


def acceptable(question: str, heading: str) -> bool:
    """One short question that names something of its heading."""
    q = " ".join(question.split())
    if not q.endswith("?") or q.count("?") > 1 or len(q.split()) > MAX_WORDS:
        return False
    title = heading.split(" > ")[-1]
    return bool(_words(q) & _words(title))


def apply_cached(settings: Settings, questions: Sequence[Question]) -> int:
    """Give topic questions the model's wording when the cache has one for their
    current notes. Returns how many were worded."""
    cache = read_cache(settings)
    if not cache:
        return 0
    n = 0
    for q in questions:
        if q.kind != "topic":
            continue
        worded = cache.get(content_hash(q))
        if worded and acceptable(worded, q.heading):
            q.text, q.kind = worded, "generated"
            n += 1
    return n


def _prompt(settings: Settings) -> string.Template:
    path = settings.prompts_dir / PROMPT
    try:
        return string.Template(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: prompt file is missing ({exc.strerror})") from exc


def generate(
    settings: Settings, llm: LLM, questions: Sequence[Question], limit: int | None = None
) -> tuple[int, int]:
    """Ask the model to word the topic questions that have no cached wording yet;
    store the acceptable ones. Returns (worded now, rejected). ``LLMError`` raises."""
    from interviewer.llm import Message

    template = _prompt(settings)
    cache = read_cache(settings)
    worded = rejected = 0
    todo = [q for q in questions if q.kind == "topic" and content_hash(q) not in cache]
    for q in todo[:limit] if limit is not None else todo:
        notes = "\n".join(f"- {kp.text}" for kp in q.key_points)[:MAX_NOTES_CHARS]
        text = template.safe_substitute(heading=q.heading, notes=notes or "(no notes)")
        result = llm.structured([Message.user(text.strip())], Wording)
        value = result.value
        if value is None or not acceptable(value.question, q.heading):
            rejected += 1
            continue
        cache[content_hash(q)] = " ".join(value.question.split())
        worded += 1
    if worded:
        path = _cache_path(settings)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(cache, ensure_ascii=False, indent=1).encode("utf-8"))
    return worded, rejected
