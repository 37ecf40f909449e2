"""Question/answer units: what the interviewer can ask, from every common way people
write study notes.

The corpus loader first cuts a note into heading sections; :func:`mark_units` then
finds the units among them:

- a heading that asks something (``heading``);
- inside a heading section that does not ask, explicit questions written as a bold or
  emphasised line (``bold``), a ``Q:`` / ``A:`` pair (``qa``), a list item that asks and
  has an answer (``list``), an HTML ``<details><summary>`` block or an Obsidian-style
  callout (``details``). The section is cut at each of them: every unit becomes a
  section of its own, so chunks, citations and key points never mix two answers;
- a topic heading with substantial notes under it and no explicit question, asked in
  our own wording (``topic``).

Every section then knows the unit it belongs to (``unit_id``). Only general language
cues are used here (question words, emphasis, list markers, a few words that name the
parts of a document): never the vocabulary of a subject."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from interviewer import lexicon
from interviewer.corpus import A_LABEL, A_LABEL_ES, Q_LABEL, label_line
from interviewer.text import FENCE

if TYPE_CHECKING:
    from interviewer.corpus import Document, Section

UnitKind = Literal["heading", "bold", "list", "qa", "details", "table", "topic", "generated"]
UNIT_KINDS: tuple[str, ...] = (
    "heading", "bold", "list", "qa", "details", "table", "topic", "generated"
)

# ---- general language cues (interviewer/units_cues.txt) ---------------------------------

# A heading made only of these ("Questions", "Further reading") is a container.
CONTAINER_WORDS = lexicon.words("container_words")
# A heading holding one of these is about the document, not a subject.
CONTAINER_ANY = lexicon.words("container_any")
# A heading that holds questions to answer ("Questions", "Interview questions", "FAQ").
QUESTION_GROUPS = lexicon.words("question_groups")
QUESTION_GROUP_MODIFIERS = lexicon.words("question_group_modifiers")
# The first word of a heading that names an aspect of its parent ("Disadvantages").
ASPECT_WORDS = lexicon.words("aspect_words")
STOP = lexicon.words("stop")
# Summary texts of a collapsible block that only say "open me".
REVEAL_WORDS = lexicon.words("reveal_words")
# Callout types that ask: the title is the question.
QUESTION_CALLOUTS = lexicon.words("question_callouts")
# Verbs that open an imperative heading: such a topic is asked as a "how" question.
IMPERATIVE_VERBS = lexicon.words("imperative_verbs")
QUESTION_START = lexicon.words("question_start")
# Question words per language: an English one asks with a verb after it ("What is X"); a
# Spanish one with its accent asks alone ("Cómo elige X"), one without it only before a
# question word or a verb ("Por qué X", "Para qué sirve X").
QUESTION_WORDS_EN = lexicon.words("question_words_en")
QUESTION_WORDS_ES = lexicon.words("question_words_es")
QUESTION_WORDS_ES_UNMARKED = lexicon.words("question_words_es_unmarked")
QUESTION_WORDS = QUESTION_WORDS_EN | QUESTION_WORDS_ES | QUESTION_WORDS_ES_UNMARKED
# With a number, these only number an item ("Q3", "Problem 4").
NUMBER_LABELS = lexicon.words("number_labels")
# Header names of the table columns that hold questions and answers.
QUESTION_COLUMNS = lexicon.words("question_columns")
ANSWER_COLUMNS = lexicon.words("answer_columns")
# Header names of a glossary table's columns ("Term | Meaning").
TERM_COLUMNS = lexicon.words("term_columns")
DEFINITION_COLUMNS = lexicon.words("definition_columns")
TOPIC_TEMPLATES = lexicon.templates("topic_templates")
TOPIC_TEMPLATES_ES = lexicon.templates("topic_templates_es")
_VERSUS_SEP = lexicon.alternation("comparison_separators")

# ---- line patterns ----------------------------------------------------------------------

_LIST = re.compile(r"^( {0,3})(?:[-*+•]|\d{1,3}[.)])\s+(\S.*)$")
_EMPH_LINE = re.compile(
    r"^\s*(?:(?:[-*+•]|\d{1,3}[.)])\s+(?:\[[ xX]\]\s+)?)?"
    r"(\*\*\*|___|\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1(.*)$"
)
# A label opening a line, maybe quoted, listed or bold: "Q:", "Q3.", "Question 2)", a
# flashcard's "Front:"; "A:", "A1.", "Ans.", "Answer 3:", "Back:" (a bare "A." could open
# a sentence). A question label captures the text after it. (One grammar, corpus's.)
_Q_LABEL = label_line("question", capture=True)
_Q_LABEL_ES = label_line("question", spanish_letters=True, capture=True)
_A_LABEL = label_line("answer")
_A_LABEL_ES = label_line("answer", spanish_letters=True)
# "Q." alone could open an ordinary sentence ("Q. Smith wrote ..."): a label with a colon.
_Q_LABEL_COLON = label_line("question", spanish_letters=True, colon=True)
_DETAILS_OPEN = re.compile(r"<details\b", re.IGNORECASE)
_DETAILS_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)
_SUMMARY = re.compile(r"<summary\b[^>]*>(.*?)</summary\s*>", re.IGNORECASE | re.DOTALL)
_CALLOUT = re.compile(r"^\s*>\s*\[!([A-Za-z-]+)\][+-]?\s*(.*)$")
_TAG = re.compile(r"<[^>]+>")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
# "[[Page]]", "[[Page|shown text]]", "[[Page#part]]": the text a reader sees.
_WIKI_LINK = re.compile(r"!?\[\[(?:([^\]|#]*)(?:#[^\]|]*)?\|)?([^\]|#]*)(?:#[^\]]*)?\]\]")
# What decorates a heading without naming anything: an anchor ("{#id}"), a block
# reference ("^id"), tags ("#topic"), emoji and other symbols.
_HEADING_MARKS = re.compile(
    r"\s*\{[#.][^}]*\}|\s\^[\w-]+$|(?:^|\s)#[\w/-]+|[^\w\s'’()\[\]/&+.,:;?!\-–—%#`\"]",
)
_SOURCE_MARK = re.compile(r"\[\[[^\]]{0,40}\]\]\([^)\s]*\)|\[\[[^\]]{0,40}\]\([^)\s]*\)\]")
# "3.", "Q3:", "iv)", "1.2", "2.3.1." and "A." (an outline's letter) number an item. A
# dotted number needs words after it ("0.1 + 0.2 != 0.3: why?" opens with a number).
_NUMBERING = re.compile(
    r"^\s*(?:step\s+)?(?:q?\d{1,3}(?:\.\d{1,3})+\.?(?=\s+(?:[^\W\d]|[¿¡\"'“(\[*_`]))"
    r"|q?\d{1,3}[.):]|[ivx]{1,4}[.)]|[a-z][.)])"
    r"(?=\s)\s*",
    re.IGNORECASE,
)


class Unit(BaseModel):
    """One question of the notes and its answer."""

    id: str
    question: str
    kind: UnitKind
    source: str
    heading_path: list[str]
    line_start: int = Field(description="1-based first line (the question's line).")
    line_end: int = Field(description="1-based last line of the answer, sub-sections included.")
    is_stub: bool = False
    uncertain: str | None = Field(
        default=None, description="Why the shape was read with less than certainty."
    )
    section_ids: list[str] = Field(default_factory=list)

    @property
    def heading(self) -> str:
        return " > ".join(self.heading_path)


class ShapeNote(BaseModel):
    """A place where the notes look like a question but were not read as one."""

    source: str
    line: int
    heading: str
    reason: str


# ---- text helpers -----------------------------------------------------------------------


_CODE_SPAN = re.compile(r"(`+)(?=\S)(.+?)(?<=\S)\1")


def plain(text: str, keep_code: bool = False) -> str:
    """Inline Markdown/HTML to plain text: links to their text, tags, emphasis removed.
    With ``keep_code``, code spans stay as written (backticks and all): a question is
    shown as the notes wrote it."""
    spans: list[str] = []
    if keep_code and "`" in text:

        def hold(m: re.Match[str]) -> str:
            spans.append(m.group(0))
            return f"\x00{len(spans) - 1}\x00"

        text = _CODE_SPAN.sub(hold, text)
    text = _SOURCE_MARK.sub("", text)
    text = _MD_LINK.sub(lambda m: m.group(1), text)
    text = _WIKI_LINK.sub(lambda m: m.group(2), text)
    text = _TAG.sub("", text)
    text = re.sub(r"(\*\*|__|`)", "", text)
    text = re.sub(r"(?<![\w*])[*_](?=\S)(.+?)(?<=\S)[*_](?![\w*])", r"\1", text)
    text = re.sub(r"\s+", " ", text).strip()
    if spans:
        text = re.sub(r"\x00(\d+)\x00", lambda m: spans[int(m.group(1))], text)
    return text


def asks(text: str) -> bool:
    """Does this line of text ask something? A question mark at its end (a trailing
    source marker aside), or a question word leading a short line that ends without a
    full stop."""
    t = plain(text).rstrip(" *_:")
    if not t or not re.search(r"[A-Za-zÀ-ÿ]", t):
        return False
    return bool(re.search(r"\?\s*[\])]*$", t))


def clean_question(text: str) -> str:
    """A question line as it will be asked: markup, numbering and "Q:" removed (code
    spans kept, as the notes wrote them)."""
    t = plain(text, keep_code=True)
    t = re.sub(r"^\[[ xX]\]\s+", "", t)  # a task list's checkbox ("- [ ] What is X?")
    t = re.sub(rf"^(?:{Q_LABEL})\s*", "", t, flags=re.IGNORECASE)
    t = _NUMBERING.sub("", t, count=1)
    return _edge_symbols(t.strip(" -–—:*_")).strip()


def _edge_symbols(text: str) -> str:
    """Text without the emoji and other symbols that decorate its ends ("🔥 What is
    X? ✅"): they are no words of the question."""
    import unicodedata

    def decoration(c: str) -> bool:
        # ASCII symbols (a code span's backtick, "^") are text, not decoration.
        return ord(c) > 127 and (
            unicodedata.category(c) in ("So", "Sk", "Mn", "Cf", "Co") or c in "\ufe0f\u200d"
        )

    start, end = 0, len(text)
    while start < end and (decoration(text[start]) or text[start].isspace()):
        start += 1
    while end > start and (decoration(text[end - 1]) or text[end - 1].isspace()):
        end -= 1
    return text[start:end] if start or end < len(text) else text


# First words of a question that asks in words (not a request: "Explain X").
_INTERROGATIVE = QUESTION_WORDS | lexicon.words("subject_auxiliaries")


def as_asked(question: str, body: str = "") -> str:
    """A heading question as a sentence: Title Case of ordinary words lowered ("How
    Does DNS Resolution Work" -> "How does DNS resolution work?"; names the notes
    capitalise inside their sentences kept) and a question mark where a question word
    opens it and nothing ends it. Only case and the end mark change, so the question
    still matches the heading it came from."""
    words = question.split()
    if not words:
        return question

    def kept(w: str) -> bool:
        core = w.strip("()[],;:?.!\"“”")
        return (
            _is_acronym(core) or bool(re.match(r"^[A-Z][^a-z\s]", core))
            or core.endswith(("'s", "’s", "s'", "s’")) or "." in core or _is_name(core, names)
        )  # fmt: skip

    names = _names_in(body)
    later = [w for w in words[1:] if w.lower() not in STOP and w[:1].isalpha()]
    ordinary = [w for w in later if not kept(w)]
    small = [w for w in words[1:] if w.lower() in STOP and w[:1].isupper()]
    if len(ordinary) + len(small) >= 2 and ordinary and all(w[:1].isupper() for w in later):
        # Title Case: every later word capitalised, several of them ordinary words.
        def lowered(i: int, w: str) -> str:
            if i == 0:
                return "-".join([w.split("-")[0], *(p.lower() for p in w.split("-")[1:])])
            return w if kept(w) else w.lower()

        question = " ".join(lowered(i, w) for i, w in enumerate(words))
    first = _words(words[0])[:1]
    opens = bool(first) and first[0].lower().split("'")[0].split("’")[0] in _INTERROGATIVE
    if opens and not re.search(r"[?.!:…)\]]$", question.rstrip()):
        question = question.rstrip() + "?"
    return question


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-zÀ-ÿ0-9]+(?:[-'][A-Za-zÀ-ÿ0-9]+)*", text)


# A capital letter and symbols: the name of a language or a tool ("C#", "C++", "F#").
_SYMBOL_NAME = re.compile(r"[A-Z](?:#|\+\+)")


def is_container(heading: str) -> bool:
    """A heading that names no subject ("Questions", "Source(s) and further reading")."""
    if _SYMBOL_NAME.fullmatch(plain(heading).strip()):
        return False  # "C#", "C++", "F#": a name, not a stray letter
    words = [w.lower() for w in _words(plain(heading))]
    if any(w in CONTAINER_ANY for w in words):
        return True
    return all(w in CONTAINER_WORDS or w in STOP or w.isdigit() or len(w) < 2 for w in words)


def is_question_group(heading: str) -> bool:
    """A heading that only groups questions to answer ("Questions", "Practice
    questions", "Preguntas de entrevista"): not "Interview tips", "Setup" or "Summary",
    where a numbered list of imperatives is steps."""
    words = [w.lower() for w in _words(plain(heading))]
    return any(w in QUESTION_GROUPS for w in words) and all(
        w in QUESTION_GROUPS or w in QUESTION_GROUP_MODIFIERS or w.isdigit() for w in words
    )


def is_aspect(heading: str) -> bool:
    """A heading that names an aspect of its parent: "Disadvantage(s): cache"."""
    words = [w.lower() for w in _words(plain(heading).replace("(s)", ""))]
    return bool(words) and words[0] in ASPECT_WORDS


# ---- topic wording ----------------------------------------------------------------------

_MASS_ENDINGS = ("ing", "ism", "ity", "ness", "ency", "ance", "ence", "tion", "sion", "ment",
                 "ware", "ogy", "sis", "ure")  # fmt: skip
_NOT_PLURAL = ("ss", "us", "is", "sis", "ous", "as")


def _is_acronym(word: str) -> bool:
    """"TCP", "OAuth", "B-tree", "Big-O": a part with two capitals, or a lone capital
    letter joined by a hyphen ("Two-Phase" is a title's capitals, not an acronym)."""
    parts = word.split("-")
    if len(parts) > 1:
        return any(_is_acronym(p) or (len(p) == 1 and p.isupper()) for p in parts)
    return len(word) > 1 and sum(c.isupper() for c in word) >= 2


MASS_NOUNS = lexicon.words("mass_nouns")
_CODAS = lexicon.words("english_codas")


def _unlike_english(word: str) -> bool:
    """A lower-case term that cannot be an English word, so is a name: a digit inside
    ("k8s"), no vowel ("npm"), or an ending no English word has ("etcd", "systemd")."""
    if not re.fullmatch(r"[a-z][a-z0-9]+", word):
        return False
    if re.search(r"\d", word) or not re.search(r"[aeiouy]", word):
        return True
    if word.startswith(("ng", "nm", "dn", "tk", "pk", "kd")):
        return True
    tail = word[-2:]
    consonants = not re.search(r"[aeiouy]", tail)
    return consonants and not word.endswith("s") and not (tail in _CODAS or word[-3:] in _CODAS)


def topic_question(title: str, body: str = "", context: str = "", term: bool = False) -> str:
    """Our wording of a question about a topic heading: "Load balancer" -> "What is a
    load balancer, and when would you use one?"; "Message queues" -> "What are message
    queues, ..."; "Tune the query cache" -> "How would you tune the query cache?".
    ``body``, the topic's own notes, is evidence for how its name is written: a word
    the notes capitalise mid-sentence is a name ("Raft"), and "a X" / bare "X" in the
    notes tells a countable noun from a mass noun. ``context`` (the whole document) is
    further evidence of the same kind, for a topic whose own notes are a line (a
    glossary row, a label). A ``term`` (a glossary's or a label's) names a thing: it is
    never read as an imperative ("Read committed")."""
    t = " ".join(_HEADING_MARKS.sub(" ", plain(title)).split())
    t = _NUMBERING.sub("", t, count=1).strip(" :-–—.")
    t = re.sub(r"^(?:step|part|chapter|section|unit|module|lesson)\s+(?:\d+|[ivx]{1,5})\s*"
               r"[:.)\-–—]\s*", "", t, flags=re.IGNORECASE)  # fmt: skip
    # "The CAP theorem": the article is ours to choose (but "the four golden signals"
    # keeps its own: a plural is asked without one of ours).
    lead_the = bool(re.match(r"^the\s", t, re.IGNORECASE))
    t = re.sub(r"^(?:the|a|an)\s+(?=\S)", "", t, flags=re.IGNORECASE)
    if not t:
        return plain(title)
    names = _names_in(body) | (_names_in(context) if context else frozenset())
    # (A comparison inside an aside, "Load balancing (L4 vs L7)", compares no sides.)
    outside = re.sub(r"\([^()]*\)", "", t)
    pieces = re.split(rf"\s+(?:{_VERSUS_SEP})\s+", outside.strip(), flags=re.IGNORECASE)
    pieces = pieces if len(pieces) > 1 else [t]
    if _spanish(t, body, context):
        return _spanish_question(t, pieces, names, body)
    if len(pieces) > 1:
        return _template("compare", pair=_join([_np_case(p, names) for p in pieces]))
    t = re.sub(r"^about\s+", "", t, flags=re.IGNORECASE)
    words = t.split()
    first = words[0].lower()
    if len(words) == 1 and _unlike_english(words[0]):
        return _template("mass", np=words[0])  # "etcd", "k8s": a name, as written
    if first in IMPERATIVE_VERBS and len(words) > 1 and not words[0].isupper() and not term:
        return _template("imperative", verb=first, rest=" ".join(words[1:]))
    brand = _is_brand(words[0])
    if _title_case(words) and not brand:
        t = " ".join(
            w if _is_acronym(w.strip("()[],;:")) or _is_name(w, names)
            or re.match(r"^[(\[]?[A-Z][^a-z\s]", w)
            else (w.split("-")[0] + "".join("-" + p.lower() for p in w.split("-")[1:]))
            if i == 0 else w.lower()
            for i, w in enumerate(words)
        )  # fmt: skip
    core = re.sub(r"\s*\([^()]*\)", "", t).strip() or t
    # The head noun comes before a preposition: "caching at the object level".
    parts = re.split(
        r"\s(at|of|in|for|on|with|by|from|to|as|via|over|under|into|per|between|without|"
        r"every|that|which)\s", core, maxsplit=1
    )
    head = parts[0]
    head_words = _words(head) or [head]
    last = head_words[-1]
    np = _np_case(t, names)
    low = last.lower()
    plural = not _is_name(last, names) and (
        (low.endswith("s") and not low.endswith(_NOT_PLURAL) and len(low) > 3
         and not last.endswith("'s"))
        or (len(last) > 2 and last.endswith("s") and _is_acronym(last[:-1]))
        or bool(re.search(r"\s(?:and|&)\s", head))
    ) and not (_is_acronym(last) and not last.endswith("s"))  # fmt: skip
    if plural and len(head_words) == 1 and _singular_subject(body, low):
        plural = False  # "Paxos reaches agreement ...": the notes make it one thing
    if plural:
        if len(parts) > 1 and parts[1] == "of":
            return _template("of_plural", np=np)  # "What are the types of joins?"
        return _template("plural", np=f"the {np}" if lead_the else np)
    if re.search(r"\s(?:or)\s", core) and len(core.split()) <= 6:
        return _template("choice", np=np)
    core_words = core.split()
    if _is_name(core_words[0], names) and not core_words[0].isupper() or brand or any(
        w.endswith(("'s", "’s")) for w in core_words[:-1]
    ):
        # A name ("Raft", "OpenID Connect", "Dijkstra's algorithm") takes no article.
        return _template("mass", np=np)
    if len(parts) > 1 and parts[1] == "of":
        return _template("of_singular", np=np)  # "What is the cost of insertion?"
    # The notes' own use of the noun decides only where its form does not.
    use = _article_use(body, low) or (_context_use(context, low) if context else None)
    # An ending that most mass nouns have ("-tion") gives way to the notes' "a X":
    # "a transaction", "a partition".
    countable_ending = low.endswith(("tion", "sion", "ment", "ance", "ence", "ure"))
    # An adjective names a property, which no article counts ("serializable").
    adjective = (
        low.endswith(("izable", "isable", "ible", "ous", "less", "ful")) and len(core_words) == 1
    ) or (low.endswith("ed") and not low.endswith("eed") and len(low) > 5)
    mass = (
        low.endswith(_MASS_ENDINGS) and not (countable_ending and use == "countable")
    ) or low in MASS_NOUNS or adjective or (
        len(core_words) == 1 and _is_acronym(core)
    )
    if mass or use == "mass":
        return _template("mass", np=np)
    if _is_acronym(core_words[0]) or any(w[:1].isupper() for w in core_words[1:]):
        return _template("named", np=np)
    return _template("countable", np=np, article=_article(np))


_SINGULAR_VERB = re.compile(r"(?:is|was|has|does|[a-z]+[^su\W]s)")
_PLURAL_VERB = frozenset(("are", "were", "have", "do"))
_VERB_ADVERBS = lexicon.words("verb_adverbs")


def _singular_subject(body: str, noun: str) -> bool:
    """The notes open sentences with ``noun`` followed by a singular verb ("Paxos
    reaches ...", "Redis is ...") more often than by a plural one: a name or a mass noun
    that only ends in "s", not a plural."""
    if not body:
        return False
    text = "\n".join(plain(line) for line in body.splitlines()).lower()
    one = many = 0
    pattern = rf"(?:^|[.!?;:]\s+){re.escape(noun)}\s+([a-z]+)\b(?:\s+([a-z]+))?"
    for m in re.finditer(pattern, text, re.MULTILINE):
        verb = m.group(1)
        if (verb in _VERB_ADVERBS or verb.endswith("ly")) and m.group(2):
            verb = m.group(2)  # "Indexes always speed up reads": the verb is after it
        if verb in _PLURAL_VERB:
            many += 1
        elif _SINGULAR_VERB.fullmatch(verb):
            one += 1
    return one > many


# A capitalised word inside a sentence: after a lower-case word, and not beside another
# capitalised word (that is a title or an expansion: "User Datagram Protocol").
_NAME_IN_TEXT = re.compile(r"(?<=[a-z,] )([A-Z][a-z]+)(?:['’]s)?\b(?! [A-Z])")


@lru_cache(maxsize=32)
def _names_in(body: str) -> frozenset[str]:
    """Words the notes write capitalised inside a sentence and never in lower case:
    names ("Raft", "Kubernetes"), not words that only open sentences or lines."""
    if not body:
        return frozenset()
    capital: set[str] = set()
    lower: set[str] = set()
    for line in body.split("\n"):
        text = plain(line)
        capital.update(m.group(1) for m in _NAME_IN_TEXT.finditer(text))
        lower.update(re.findall(r"\b[a-z][a-z]+\b", text))
    return frozenset(w for w in capital if w.lower() not in lower)


def _is_name(word: str, names: frozenset[str]) -> bool:
    return re.sub(r"['’]s?$", "", word) in names


def _is_brand(word: str) -> bool:
    """A name written with inner capitals and lower-case letters ("OpenID", "OAuth",
    "PostgreSQL"), or a letter and symbols ("C#", "C++"): a proper name, not an acronym
    of a common noun ("TCP")."""
    return bool(re.search(r"[a-z][A-Z]|^[A-Z]{2,}[a-z]", word) or _SYMBOL_NAME.fullmatch(word))


_COUNTING = r"\b(?:a|an|one|each|every|another)\s+(?:[\w-]+\s+){0,2}"
_AUX = lexicon.words("subject_auxiliaries")


def _article_use(body: str, noun: str) -> str | None:
    """How the notes write ``noun``: "countable" when they put "a"/"an" before it (or
    write its plural), "mass" when it opens a sentence bare, followed by its verb, more
    often; None when they do not say."""
    if not body or len(noun) < 3:
        return None
    text = "\n".join(plain(line) for line in body.splitlines()).lower()
    n = re.escape(noun)
    counted = len(re.findall(_COUNTING + n + r"\b", text))
    counted += len(re.findall(rf"\b{n}(?:s|es)\b", text))
    # A line opens a sentence too ("Write-through is slow ..." under its heading), and
    # a noun bare after a preposition at a clause's end ("In write-behind, ...") is
    # bare as surely as one that opens a sentence.
    bare = sum(
        1 for m in re.finditer(rf"(?:^|[.!?;:]\s+){n}\s+([a-z]+)\b", text, re.MULTILINE)
        if m.group(1) in _AUX or (m.group(1).endswith("s") and not m.group(1).endswith("ss"))
    ) + sum(1 for m in _BARE_AFTER.finditer(text) if m.group(1) == noun)  # fmt: skip
    if counted > bare:
        return "countable"
    if bare > counted:
        return "mass"
    return None


# A noun right after a preposition or a verb that ends its clause: "state lives in
# etcd.", "deploy with helm,": a singular countable noun never stands there bare.
_BARE_AFTER = re.compile(
    r"\b(?:in|into|from|with|via|by|like|use|uses|using|run|runs|running|install|installs|"
    r"and|or)\s+([a-z][\w-]*)(?=\s*[.,;:!?)]|\s*$|\s+(?:and|or)\s)"
)


@lru_cache(maxsize=16)
def _usage_table(text: str) -> dict[str, tuple[int, int]]:
    """How a whole document uses each word: (counted, bare), as :func:`_article_use`
    counts them for one noun, in one pass (a document's glossary asks this per row)."""
    low = plain(text).lower()
    counted: dict[str, int] = {}
    bare: dict[str, int] = {}
    counting = r"\b(?:a|an|one|each|every|another)\s+(?=((?:[\w-]+\s+){0,2}[\w-]+))"
    for m in re.finditer(counting, low):
        for w in m.group(1).split():
            counted[w] = counted.get(w, 0) + 1
    words = set(re.findall(r"[\w-]+", low))
    for w in words:
        # A plural in the notes counts the noun ("caches" -> "cache").
        for stem in {w[:-1] if w.endswith("s") else "", w[:-2] if w.endswith("es") else ""}:
            if stem in words:
                counted[stem] = counted.get(stem, 0) + 1
    for m in re.finditer(r"(?:^|[.!?;:]\s+)([\w-]+)\s+([a-z]+)\b", low):
        verb = m.group(2)
        if verb in _AUX or (verb.endswith("s") and not verb.endswith("ss")):
            bare[m.group(1)] = bare.get(m.group(1), 0) + 1
    for m in _BARE_AFTER.finditer(low):
        bare[m.group(1)] = bare.get(m.group(1), 0) + 1
    return {w: (counted.get(w, 0), bare.get(w, 0)) for w in counted.keys() | bare.keys()}


def _context_use(context: str, noun: str) -> str | None:
    counted, bare = _usage_table(context).get(noun, (0, 0))
    if counted > bare:
        return "countable"
    if bare > counted:
        return "mass"
    return None


def _spanish(title: str, body: str, context: str = "") -> bool:
    """Notes in Spanish: the topic's own words say so, or, where they are too few to
    tell Spanish from a neighbour ("ca", "pt" share its stop words) but are not English,
    the whole document does."""
    from interviewer.language import detect_language

    own = detect_language(f"{title}\n{body}" if body else title)
    if own == "es":
        return True
    return own not in ("en", "und") and bool(context) and _document_language(context) == "es"


@lru_cache(maxsize=8)
def _document_language(text: str) -> str:
    from interviewer.language import detect_language

    return detect_language(text)


def _spanish_question(t: str, pieces: list[str], names: frozenset[str], body: str) -> str:
    """A topic of notes written in Spanish, asked in Spanish. A Spanish noun takes its
    article ("¿Qué es la recolección de basura ...?"), whose gender only the notes can
    tell: their own "el/la/un/una X". Without that evidence the topic is put first as
    a label ("Enrutamiento: ¿qué es ...?"), a wording that needs no article."""
    if len(pieces) > 1:
        sides = [_es_with_article(_np_case(p, names), names, body) for p in pieces]
        # Articles on every side or on none: "entre la pila y la cola", "entre pila y cola".
        known = all(k for _s, k in sides)
        nps = [s if known else _np_case(p, names) for (s, _k), p in zip(sides, pieces, strict=True)]
        pair = ", ".join(nps[:-1]) + " y " + nps[-1]
        return " ".join(TOPIC_TEMPLATES_ES["compare"].format(pair=pair).split())
    t = t.strip(" ¿?¡!:;,.")
    t = re.sub(r"^(?:el|la|los|las|un|una)\s+(?=\S)", "", t, flags=re.IGNORECASE)
    if not re.search(r"[^\W\d_]", t) or t.lower() in _ES_ARTICLES:
        # "¿?", a lone "El": nothing to name, and no label to lead with.
        return TOPIC_TEMPLATES_ES["untitled"]
    np = _np_case(t, names)
    plural = _es_number(np, body)
    phrase, known = _es_with_article(np, names, body, plural)
    if known or _es_bare_name(np, names):
        key = "plural" if plural else "default"
        return " ".join(TOPIC_TEMPLATES_ES[key].format(np=phrase).split())
    key = "plural_label" if plural else "default_label"
    label = np[:1].upper() + np[1:]
    return " ".join(TOPIC_TEMPLATES_ES[key].format(np=label).split())


_ES_ARTICLE = re.compile(r"\b(el|la|los|las|un|una|unos|unas|del|al)\s+([^\W\d_]+)", re.IGNORECASE)
_ES_MASCULINE = frozenset({"el", "los", "un", "unos", "del", "al"})


def _fold(word: str) -> str:
    """A word without its accents, lower case: "Índices" -> "indices"."""
    import unicodedata

    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _es_plural(np: str) -> bool:
    """The head noun comes first in Spanish ("índices compuestos", "árboles B"); a
    word in -is/-us is singular ("análisis", "virus")."""
    words = [w for w in np.split() if w.lower() not in ("el", "la", "los", "las")]
    head = words[0] if words else np
    low = _fold(head)
    return (
        low.endswith("s") and not low.endswith(("is", "us")) and len(low) > 3
        and not _is_acronym(head)
    )  # fmt: skip


_ES_ARTICLES = frozenset("el la los las un una unos unas".split())
_ES_SINGULAR_ARTICLES = frozenset("el la un una del al".split())


def _es_number(np: str, body: str) -> bool:
    """Whether the topic is plural: the notes' own article before the same word says
    ("El interés compuesto", "el lunes", "los índices"); else its ending, where a
    stressed final syllable in -s ("estrés", "compás") is singular."""
    words = np.split()
    if not words:
        return False
    head = _fold(words[0])
    singular = plural = 0
    for m in _ES_ARTICLE.finditer(body):
        if _fold(m.group(2)) == head:
            if m.group(1).lower() in _ES_SINGULAR_ARTICLES:
                singular += 1
            else:
                plural += 1
    if singular != plural:
        return plural > singular
    if re.search(r"[áéíóú]s$", words[0].lower()):
        return False
    return _es_plural(np)


def _stressed_a(word: str) -> bool:
    """A feminine noun opening with stressed a takes "el"/"un" in the singular ("el
    agua", "el área"): those articles tell no gender. Stressed: written "á"/"há", or a
    word of two syllables with no accent elsewhere ("alma", "hambre")."""
    low = word.lower()
    if low.startswith(("á", "há")):
        return True
    if not low.startswith(("a", "ha")) or re.search(r"[áéíóú]", low):
        return False
    return len(re.findall(r"[aeiouü]+", low)) == 2


def _es_bare_name(np: str, names: frozenset[str]) -> bool:
    """A name ("Raft", "TCP", "Kubernetes") is asked about with no article."""
    first = np.split()[0] if np.split() else np
    return _is_acronym(first) or _is_name(first, names) or first[:1].isupper()


def _es_singulars(word: str) -> set[str]:
    low = _fold(word)
    out = {low}
    if low.endswith("es") and len(low) > 4:
        out.add(low[:-2])  # "canciones" -> "cancion"
    if low.endswith("s") and len(low) > 3:
        out.add(low[:-1])  # "índices" -> "indice"
    return out


def _es_with_article(
    np: str, names: frozenset[str], body: str, plural: bool | None = None
) -> tuple[str, bool]:
    """``np`` with the definite article the notes give its head noun, and whether they
    gave one. Names take none. "el"/"un" before a stressed a ("el área") give no
    gender, only the singular's article."""
    words = np.split()
    if not words or _es_bare_name(np, names) or words[0].lower() in ("el", "la", "los", "las"):
        return np, bool(words)
    plural = _es_plural(np) if plural is None else plural
    head = _es_singulars(words[0])
    masculine = feminine = el_before_a = 0
    for m in _ES_ARTICLE.finditer(body):
        if _es_singulars(m.group(2)) & head:
            article = m.group(1).lower()
            if article in ("el", "un", "del", "al") and _stressed_a(m.group(2)):
                el_before_a += 1
            elif article in _ES_MASCULINE:
                masculine += 1
            else:
                feminine += 1
    if masculine == feminine:
        if el_before_a and not plural and not masculine:
            return f"el {np}", True  # "el agua": the singular's article, whatever the gender
        return np, False
    article = ("los" if plural else "el") if masculine > feminine else ("las" if plural else "la")
    return f"{article} {np}", True


def _template(name: str, **parts: str) -> str:
    return " ".join(TOPIC_TEMPLATES[name].format(**parts).split())


def _title_case(words: list[str]) -> bool:
    """"Service Discovery", "Interactive Coding Challenges": capitals by style, not names."""
    later = [w for w in words[1:] if w.lower() not in STOP and w[:1].isalpha()]
    return bool(later) and all(w[:1].isupper() and not _is_acronym(w) for w in later)


def _article(np: str) -> str:
    low = np.lower()
    if re.match(r"^(?:u[^aeiou\s][aeiou]|eu|one\b)", low):
        return "a"  # "a user", "a one-way hash"
    return "an" if low[:1] in "aeiou" else "a"


def _np_case(text: str, names: frozenset[str] = frozenset()) -> str:
    text = text.strip()
    first = text.split()[0] if text.split() else text
    if _is_acronym(first) or (len(first) > 1 and first[1:2].isupper()) or _is_name(first, names):
        return text
    if first[:1].isupper() and not first[1:2].isalpha():
        return text  # "C++", "C#", "R", "S3": a letter that names something
    if first.endswith(("'s", "’s")) and first[:1].isupper():
        return text  # "Dijkstra's algorithm": a possessive name
    return text[:1].lower() + text[1:]


def _join(parts: list[str]) -> str:
    parts = [p for p in parts if p]
    if len(parts) <= 2:
        return " and ".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


# ---- finding explicit questions in a section's body --------------------------------------


class _Start(BaseModel):
    line: int  # 0-based index of the question's first line
    body: int  # 0-based index of the answer's first line
    question: str
    kind: UnitKind
    uncertain: str | None = None
    # The answer's own text when it shares the question's line (a table row, a label).
    answer: str | None = None
    # The unit's last line when it ends before the next question (a table's last row).
    end: int | None = None
    # What the notes call a topic of ours ("XSS" for a label): its place in the path.
    name: str | None = None
    # A term of a run of terms (tab rows, a definition list): under a heading that
    # asks, the run is its answer.
    term_run: bool = False
    # A table row's: the 0-based line of its table's header, where the text before the
    # table ends (the header belongs to no row).
    table_head: int | None = None


def _indent(line: str) -> int:
    expanded = line.replace("\t", "    ")
    return len(expanded) - len(expanded.lstrip())


def find_questions(
    lines: list[str],
    first: int,
    last: int,
    notes: list[tuple[int, str]] | None = None,
    grouping: bool = False,
) -> list[_Start]:
    """Explicit questions in ``lines[first:last + 1]`` (0-based, inclusive), in order.
    Places that look like questions but are not read as units go to ``notes``
    as (line index, reason). ``grouping``: the text is under a heading that only groups
    what it holds ("Questions", "Preguntas"), so a list of requests there, numbered or
    not, is questions (elsewhere a numbered one is steps)."""
    starts: list[_Start] = []
    in_fence = False
    details_depth = 0
    i = first
    list_run: list[_Start] = []  # consecutive list questions, decided when the run ends
    # Under a heading that groups questions: its numbered requests, each to the line
    # where the next one (or the text) ends.
    grouped = _grouped_requests(lines, first, last) if grouping else {}

    def close_run() -> None:
        # Two or more list questions in a row with no answer between them are a list
        # of questions the notes mention (to ask, to think about), not questions with
        # answers; a single list question needs an answer to be one.
        if not list_run:
            return
        bare = [s.uncertain == "no answer" for s in list_run]
        if len(list_run) >= 2 and all(bare[:-1]):
            if notes is not None:
                notes.append((list_run[0].line, f"list of {len(list_run)} questions without "
                                               "answers; not asked"))  # fmt: skip
        else:
            for s in list_run:
                if s.uncertain == "no answer":
                    if notes is not None:
                        notes.append((s.line, "list question without an answer; not asked"))
                    continue
                starts.append(s)
        list_run.clear()

    while i <= last:
        line = lines[i]
        if FENCE.match(line):
            in_fence = not in_fence
            i += 1
            continue
        if in_fence:
            i += 1
            continue
        if details_depth:
            details_depth += len(_DETAILS_OPEN.findall(line)) - len(_DETAILS_CLOSE.findall(line))
            details_depth = max(details_depth, 0)
            i += 1
            continue
        stripped = line.strip()
        if not stripped:
            i += 1
            continue
        table = _table_starts(lines, i, last, notes) if "|" in line else None
        if table is not None:
            close_run()
            starts.extend(table[0])
            i = table[1] + 1
            continue
        found = _details_start(lines, i, last, starts, list_run)
        if found is not None:
            start, depth = found
            close_run()
            if start is not None:
                starts.append(start)
            elif notes is not None and not _answers_previous(lines, i, starts, list_run):
                notes.append((i, "collapsible block with no question before it; not asked"))
            details_depth = depth
            i += 1
            continue
        pair = _card_line(line)
        if pair is not None:
            # "Question<TAB>answer" (a flashcard export), "Question::answer" (a
            # spaced-repetition card): one line, one unit.
            close_run()
            starts.append(_Start(line=i, body=i, question=pair[0], kind="qa", answer=pair[1],
                                 end=i))  # fmt: skip
            i += 1
            continue
        terms = _term_cards(lines, i, last) if "\t" in line else []
        if len(terms) >= 2 and not _run_stands_apart(lines, i, [*starts, *list_run]):
            i = terms[-1][0] + 1  # the answer of the question above: no term is a topic
            continue
        if len(terms) >= 2:
            # "term<TAB>definition" lines (a vocabulary deck's export): each term is a
            # topic of its own, as a glossary table's rows are.
            close_run()
            context = "\n".join(lines)
            for k, term, definition in terms:
                asked = topic_question(term, definition, context, term=True)
                starts.append(_Start(line=k, body=k, question=asked, kind="topic", name=term,
                                     answer=definition, end=k, term_run=True))  # fmt: skip
            i = terms[-1][0] + 1
            continue
        start = _callout_start(lines, i, last) or _qa_start(lines, i, last)
        start = start or _emphasis_start(lines, i)
        if start is not None:
            close_run()
            starts.append(start)
            i = start.body if start.body > i else i + 1
            continue
        lm = _LIST.match(line.replace("\t", "    "))
        if lm and asks(lm.group(2)):
            list_run.append(_list_start(lines, i, last))
            i += 1
            continue
        if lm and _requests(lm.group(2)) and _nested_list_below(lines, i, last) and (
            _a_list_of_requests(lines, i, first, last)
        ):
            # "- Explain X" over its nested items: a question (no "?") and its answer.
            start = _list_start(lines, i, last)
            start.question = as_asked(start.question)
            list_run.append(start)
            i += 1
            continue
        inline = _inline_answer(lm.group(2)) if lm else None
        if inline is not None and lm is not None:
            # "1. What is a taint? A mark on a node ...": the answer on the item's line.
            # The item ends with its own continuation lines (a list question left
            # without an answer after it is no part of this answer).
            j = i
            while j + 1 <= last and lines[j + 1].strip() and not _LIST.match(
                lines[j + 1].replace("\t", "    ")
            ) and _indent(lines[j + 1]) > len(lm.group(1)):  # fmt: skip
                j += 1
            list_run.append(_Start(line=i, body=i, question=inline[0], kind="list",
                                   answer=inline[1], end=j))  # fmt: skip
            i += 1
            continue
        if lm and i in grouped:
            # "## Questions" over "1. Explain X", "2. Compare Y and Z": the requests are
            # its questions, each answered by what lies before the next one (a list
            # too). (An item that asks with its "?" is read above.)
            # An item that only opens like a request ("1. Which is why X") is not asked,
            # nor is what lies below it read as questions.
            if asks(lm.group(2)) or _requests(lm.group(2)) or _colon_answer(lm.group(2)):
                list_run.append(_grouped_start(lines, i, grouped[i], len(lm.group(1))))
            i = grouped[i]
            continue
        if lm is None and list_run and _indent(line) == 0:
            close_run()
        if (starts or list_run) and lm is None and (i == first or not lines[i - 1].strip()):
            # A definition list after the section's questions: its terms are topics of
            # their own, not more of the last answer (as a glossary table's rows are).
            defined = _definition_run(lines, i, last)
            if len(defined) >= 2 and not _run_stands_apart(lines, i, [*starts, *list_run]):
                i = defined[-1][2] + 1  # the answer of the question above
                continue
            if len(defined) >= 2:
                close_run()
                context = "\n".join(lines)
                for k, term, end in defined:
                    body = "\n".join(answer_line(x) for x in lines[k + 1 : end + 1])
                    asked = topic_question(term, body, context, term=True)
                    starts.append(
                        _Start(line=k, body=k + 1, question=asked, kind="topic", name=term,
                               end=end, term_run=True)
                    )
                i = defined[-1][2] + 1
                continue
        plain_start = _plain_line_start(lines, i, first, last)
        if plain_start is not None:
            starts.append(plain_start)
            i = plain_start.body
            continue
        # Only outside every answer: within one, such a paragraph is rhetorical.
        before = max([*starts, *list_run], key=lambda s: s.line, default=None)
        outside = before is None or (before.end is not None and before.end < i)
        para = _paragraph_question(lines, i, first) if lm is None and outside else None
        if para is not None:
            starts.append(para)
        i += 1
    close_run()
    starts.sort(key=lambda s: s.line)
    listed = [s for s in starts if s.kind == "list"]
    if len(listed) >= 2 and all(s.uncertain == _UNINDENTED for s in listed):
        # Every list question of the text is answered the same way, at the margin below
        # it: the notes' own consistent shape, not a doubtful reading.
        for s in listed:
            s.uncertain = None
    return starts


def _run_stands_apart(lines: list[str], i: int, before: list[_Start]) -> bool:
    """A run of terms from line ``i`` on is no part of the answer of the question before
    it: that question already has answer lines of its own above the run (else the run
    is its answer: "What are the isolation levels?" over the levels)."""
    last = max(before, key=lambda s: s.line, default=None)
    if last is None:
        return True
    if last.end is not None and last.end < i:
        return True
    own = " ".join(ln.strip() for ln in lines[max(last.body, last.line + 1) : i] if ln.strip())
    if not own or own.endswith(":"):
        return False  # "They are:" introduces the run
    # One sentence under a question that asks for several things introduces them too
    # ("What are the isolation levels?" / "There are four, from weakest to strongest.").
    one_sentence = len(re.findall(r"[.!?](?:\s|$)", own)) <= 1
    return not (one_sentence and _asks_for_several(last.question))


_LIST_STARTS = lexicon.lines("list_question_starts")


def _asks_for_several(question: str) -> bool:
    low = " ".join(_words(plain(question).lower().lstrip("¿")))
    return any(low == s or low.startswith(s + " ") for s in _LIST_STARTS)


REQUEST_VERBS = lexicon.words("request_verbs")
_WH_AUX = lexicon.words("subject_auxiliaries")


# Words that ask only before a question word ("por qué"); question words that ask alone
# (accented Spanish ones) and those that ask only before their verb ("what is", "que es").
QUESTION_LEADS = lexicon.words("question_leads")
_ASKS_ALONE = QUESTION_WORDS_ES
_ASKS_WITH_VERB = (QUESTION_WORDS_EN | QUESTION_WORDS_ES_UNMARKED) - QUESTION_LEADS


def asking_form(words: list[str]) -> int:
    """How many of ``words`` (lower-case, in order) make the asking form that opens
    them, 0 for none: a question word that asks alone ("cómo"), or one and its verb
    ("what is", "que es"), maybe led by a word that asks only before a question word
    ("por qué", "para que sirve"). The same rule for every language: the cue data says
    which word plays which part."""
    k = 1 if words and words[0] in QUESTION_LEADS else 0
    if k >= len(words):
        return 0
    if words[k] in _ASKS_ALONE:
        return k + 1
    if words[k] in _ASKS_WITH_VERB and k + 1 < len(words) and words[k + 1] in _WH_AUX:
        return k + 2
    return 0


_RELATIVES = lexicon.words("relative_question_words")
_RELATIVE_HEADS = tuple(h.split() for h in lexicon.lines("relative_clause_heads"))
_STATEMENT_OPENERS = tuple(x.lower() for x in lexicon.lines("statement_openers"))
_ADVERBS = lexicon.words("subject_adverbs") | lexicon.words("verb_adverbs")


def _opens_like_a_request(text: str) -> bool:
    """A list item of a few words that opens as one that asks: a request verb, an
    asking form, or a question word and a verb ("Which is why X" and "Para es X" too,
    statements as they are). A list counts as questions when each of its items so
    opens; :func:`_requests` says which of them ask."""
    words = [w.lower() for w in _words(plain(text))]
    if len(words) < 2 or len(words) > 20:
        return False
    if words[0] in REQUEST_VERBS or words[0] in QUESTION_WORDS_ES or asking_form(words):
        return True
    if words[0] in QUESTION_WORDS_ES_UNMARKED:
        return words[1] in QUESTION_WORDS_ES or words[1] in _WH_AUX
    return words[0] in QUESTION_WORDS_EN and words[1] in _WH_AUX


def _opens_a_statement(words: list[str], n: int, text: str) -> bool:
    """After the asking form of its first ``n`` words, the item goes on as a statement:
    a relative question word and its verb before a clause's head ("Which is why X",
    "Which is also the reason X"), or a connective ("What is more, X"). A question word
    after an asking form that needs none ("Por qué para X", "Qué es qué") and a word
    that also leads ("por", "que") leave it a question."""
    if plain(text).lower().startswith(_STATEMENT_OPENERS):
        return True
    if n < 2 or words[n - 2] not in _RELATIVES or words[n - 1] not in _WH_AUX:
        return False
    j = n
    while j < len(words) and (words[j] in _ADVERBS or words[j].endswith("ly")):
        j += 1
    return any(words[j : j + len(h)] == h for h in _RELATIVE_HEADS)


def _requests(text: str) -> bool:
    """A list item that asks without a question mark, of a few words: a request
    ("Explain the FLP result", "Describe two-phase commit"), or an asking form (see
    :func:`asking_form`: "What is a mutex", "Cómo elige X") followed by what it asks
    about, not by a statement's clause (:func:`_opens_a_statement`). A lead before no
    question word is no question ("Para es más rápido X")."""
    words = [w.lower() for w in _words(plain(text))]
    if len(words) < 2 or len(words) > 20:
        return False
    if words[0] in REQUEST_VERBS:
        return True
    n = asking_form(words)
    return 0 < n < len(words) and not _opens_a_statement(words, n, text)


_BULLET = re.compile(r"^( {0,3})[-*+•]\s+(\S.*)$")


def _a_list_of_requests(lines: list[str], i: int, first: int, last: int) -> bool:
    """The bulleted item at line ``i`` and every item beside it (same depth, same list)
    ask or request an answer, or open as if they did (:func:`_opens_like_a_request`): a
    list of things to answer. A numbered list is steps
    ("1. Define the requirements"), and a list with one plain item is a plan ("Explain
    the chapter to a friend", "Review the flashcards")."""
    m = _BULLET.match(lines[i].replace("\t", "    "))
    if m is None:
        return False
    depth = len(m.group(1))
    for step, stop in ((-1, first - 1), (1, last + 1)):
        k = i + step
        while k != stop:
            line = lines[k].replace("\t", "    ")
            if not line.strip() or _indent(line) > depth:
                k += step
                continue
            item = _LIST.match(line)
            if item is None or len(item.group(1)) != depth:
                break
            if not (asks(item.group(2)) or _opens_like_a_request(item.group(2))):
                return False
            if not _BULLET.match(line):
                return False
            k += step
    return True


_ITEM = re.compile(r"^( {0,3})(?:(\d{1,3})[.)]|([-*+•]))\s+(\S.*)$")


def _grouped_requests(lines: list[str], first: int, last: int) -> dict[int, int]:
    """Under a heading that only groups questions: the items of its list of requests
    ("1. Explain X", "2. Compare Y and Z"; "- Explain X"), each with the line where its
    answer ends (the next item's, else one past ``last``). The list's items stand at one
    margin, with one bullet or numbered one after another (or all alike: "1.", "1."); a
    list of another kind between them, or one numbered afresh ("1. The client sends
    ..."), is an answer's. Empty unless every item asks or requests, or opens as if it did (one
    that does not ask is left out where the list is read)."""
    items: list[tuple[int, str, str]] = []  # line, number or bullet, text
    depth: int | None = None
    in_fence = False
    for k in range(first, last + 1):
        line = lines[k].replace("\t", "    ")
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        m = None if in_fence else _ITEM.match(line)
        if m is None or (depth is not None and len(m.group(1)) != depth):
            continue
        mark = m.group(2) or m.group(3)
        if items and not _next_item(mark, [x[1] for x in items]):
            continue
        depth = len(m.group(1))
        items.append((k, mark, m.group(4)))
    if not all(
        asks(t) or _opens_like_a_request(t) or _inline_answer(t) or _colon_answer(t)
        for _k, _m, t in items
    ):
        return {}
    return {k: (items[x + 1][0] if x + 1 < len(items) else last + 1)
            for x, (k, _m, _t) in enumerate(items)}  # fmt: skip


def _next_item(mark: str, before: list[str]) -> bool:
    """An item marked ``mark`` goes on the list whose items were marked ``before``."""
    if not before[0].isdigit():
        return mark == before[0]
    if not mark.isdigit():
        return False
    alike = all(b == before[0] for b in before)
    return int(mark) == int(before[-1]) + 1 or (alike and mark == before[0])


def _colon_answer(text: str) -> tuple[str, str] | None:
    """"Explain Nagle's algorithm: small writes are held until ...": a request and its
    answer, a sentence after a colon on one line. None for other text (a request that
    goes on after its colon: "Compare two locks: which one spins?")."""
    m = re.match(r"^(.+?):\s+(\S.*)$", plain(text))
    if m is None or "?" in m.group(2) or not _requests(m.group(1)):
        return None
    if len(_words(m.group(2))) < 5:
        return None
    return clean_question(m.group(1)), m.group(2).strip()


def _grouped_start(lines: list[str], i: int, stop: int, margin: int) -> _Start:
    """The request at line ``i`` of a group of questions and its answer: the text on its
    line after a colon, and every line before ``stop`` (the next request)."""
    text = _LIST.match(lines[i].replace("\t", "    "))
    assert text is not None
    below = [k for k in range(i + 1, stop) if lines[k].strip()]
    end = below[-1] if below else i
    colon = _colon_answer(text.group(2))
    if colon is not None:
        # (The answer's material starts on the request's line, as an inline answer's.)
        return _Start(line=i, body=i, question=as_asked(colon[0]), kind="list",
                      answer=colon[1], end=end)  # fmt: skip
    uncertain: str | None = None
    if not below:
        uncertain = "no answer"
    elif _indent(lines[below[0]].replace("\t", "    ")) <= margin:
        uncertain = _UNINDENTED  # at the margin: fine when every answer is so
    return _Start(line=i, body=i + 1, question=as_asked(clean_question(text.group(2))),
                  kind="list", uncertain=uncertain, end=end)  # fmt: skip


def _nested_list_below(lines: list[str], i: int, last: int) -> bool:
    """The next line holds a list item nested under the item at line ``i``."""
    m = _LIST.match(lines[i].replace("\t", "    "))
    j = _next_nonblank(lines, i, last)
    if m is None or j is None:
        return False
    nxt = lines[j].replace("\t", "    ")
    nested = re.match(r"^(\s*)(?:[-*+•]|\d{1,3}[.)])\s+\S", nxt)
    return nested is not None and len(nested.group(1)) > len(m.group(1))


_INLINE_QA = re.compile(r"^(.{6,200}?\?)\s+(\S.{2,})$")


def _inline_answer(text: str) -> tuple[str, str] | None:
    """"What is a taint? A mark that repels pods.": a question (a question word first)
    and its answer on one line. None for other text."""
    m = _INLINE_QA.match(plain(text))
    if m is None:
        return None
    question, answer = clean_question(m.group(1)), m.group(2).strip()
    first = _words(question)[:1]
    spanish = question.startswith("¿")
    if not first or asks(answer) or not (
        spanish or first[0].lower().split("'")[0] in QUESTION_START
    ):
        return None
    if len(_words(answer)) < 3:
        return None
    return question, answer


# "::" between lower-case words is a scope operator (std::vector), not a card's
# separator: the separator stands apart, follows the question's "?", or opens a
# capitalised answer ("... enforce::One mutable reference ...").
_CARD = re.compile(
    r"^([^\t]{4,300}?)(?:\t+|\s+:{2,3}\s+|(?<=\?):{2,3}\s*|:{2,3}(?=[A-Z0-9]))(\S.*)$"
)


# A flashcard export's last field of tags ("bio", "os::memory chapter_3").
_TAG_FIELD = re.compile(r"[a-z0-9_:/.-]+(?:\s+[a-z0-9_:/.-]+){0,4}")
_BREAK_TAG = re.compile(r"<\s*(?:br|/?div|/?p|/?li)\b[^>]*>", re.IGNORECASE)


def _field_text(field: str) -> str:
    """A flashcard field as text: line-breaking HTML as a space, other tags removed,
    entities ("&nbsp;", "&lt;") decoded."""
    import html

    field = field.strip()
    if len(field) > 1 and field[0] == field[-1] == '"':
        field = field[1:-1].replace('""', '"')  # a quoted CSV-style field
    if "<" not in field and "&" not in field:
        return field.strip()
    text = _BREAK_TAG.sub(" ", field)
    text = re.sub(r"</?[A-Za-z][^<>]*>", "", text)
    return " ".join(html.unescape(text).split())


def _tags_field(field: str, before: str) -> bool:
    """A card's last field is its tags: lower-case words, marked as tags ("os::memory",
    "chapter_3") or after an answer that ended its sentence ("... cells.<TAB>bio"). A
    plain word after a list of words ("isolation<TAB>durability") is one more item."""
    if not _TAG_FIELD.fullmatch(field):
        return False
    if "::" in field or "_" in field:
        return True
    return _field_text(before).rstrip().endswith((".", "!", "?", ")"))


def _card_answer(fields: list[str]) -> str:
    """The answer of a tab-separated card: its fields after the question, but a last
    field of tags (as Anki exports them), joined."""
    fields = [f.strip() for f in fields if f.strip()]
    if len(fields) >= 2 and _tags_field(fields[-1], fields[-2]):
        fields = fields[:-1]
    return "; ".join(t for t in (_field_text(f) for f in fields) if t)


def _term_card(line: str) -> tuple[str, str] | None:
    """"osmosis<TAB>the movement of water across a membrane": a short term that neither
    asks nor ends a sentence, a tab, and a definition of a few words (a last field of
    tags aside)."""
    if line[:1].isspace() or line.lstrip().startswith(("|", ">", "#", "`", "-", "*")):
        return None
    fields = line.strip().split("\t")
    if len(fields) < 2 or _card_line(line) is not None:
        return None
    term = clean_question(_field_text(fields[0]))
    definition = _card_answer(fields[1:])
    if not _glossary_row(term, definition):
        return None
    return term, definition


def _term_cards(lines: list[str], i: int, last: int) -> list[tuple[int, str, str]]:
    """The run of term cards from line ``i`` on, one a line."""
    out: list[tuple[int, str, str]] = []
    k = i
    while k <= last:
        card = _term_card(lines[k])
        if card is None:
            break
        out.append((k, *card))
        k += 1
    return out


def _card_line(line: str) -> tuple[str, str] | None:
    """A flashcard on one line: a question, a tab or "::" (":::"), its answer. The
    question asks (a question mark, or a question word first) and the answer does not
    (so "What does std::move do?" is no card)."""
    if ("\t" not in line and "::" not in line) or line[:1].isspace():
        return None
    m = _CARD.match(line.strip())
    # (A flashcard export's fields may hold HTML: "<b>What</b> is ...<TAB>...".)
    html_line = line.lstrip().startswith("<") and "\t" not in line
    if m is None or html_line or line.lstrip().startswith(("|", ">", "#", "`")):
        return None
    question, answer = clean_question(_field_text(m.group(1))), m.group(2).strip()
    if "\t" in line:
        answer = _card_answer(line.strip().split("\t")[1:])
    first = _words(question)[:1]
    if not first or ("?" in answer and "?" not in question):
        return None  # the question mark is after the separator: it was no card's
    if asks(answer) or len(_words(answer)) < 2:
        return None
    if not (asks(question) or first[0].lower().split("'")[0] in QUESTION_START):
        return None
    return as_asked(question), answer


# A line's first word, capitalised, or a Spanish opening "¿" and the word after it.
_PLAIN_Q = re.compile(r"^(?:¿\s*)?[A-ZÁÉÍÓÚÑ][a-záéíóúñ]*(?:'[a-z]+)?\b")


def _opens_question(m: re.Match[str] | None) -> bool:
    """The first word matched by ``_PLAIN_Q`` opens a question: a question word, or
    anything after "¿" (which only opens a question)."""
    if m is None:
        return False
    return m.group(0).startswith("¿") or m.group(0).lower().split("'")[0] in QUESTION_START


def _plain_line_start(lines: list[str], i: int, first: int, last: int) -> _Start | None:
    """A line of its own that asks ("What is a mutex?" after a blank line, a question
    word first, a question mark last) with an answer below it."""
    line = lines[i].strip()
    if i > first and lines[i - 1].strip():
        return None
    if not _opens_question(_PLAIN_Q.match(line)) or not asks(line):
        return None
    if len(line.split()) > 30 or line.startswith((">", "<", "|", "#")):
        return None
    j = _next_nonblank(lines, i, last)
    if j is None or lines[j].lstrip().startswith("#"):
        return None
    nxt = lines[j].strip()
    if _PLAIN_Q.match(nxt) and asks(nxt):
        return None  # a run of questions with no answer between them
    if lines[i + 1].strip() == "?":
        # A spaced-repetition card: its question, a line holding "?", its answer.
        return _Start(line=i, body=i + 2, question=clean_question(line), kind="qa")
    return _Start(line=i, body=i + 1, question=clean_question(line), kind="qa",
                  uncertain="a plain line that asks, read as a question")  # fmt: skip


# Why a unit read from a paragraph that opens with a question and goes on with its answer.
_PARAGRAPH_QA = "a paragraph that opens with a question and answers it"


def _paragraph_question(lines: list[str], i: int, first: int) -> _Start | None:
    """"Why is X slower than Y? Y combines ... ": a paragraph of its own (a blank line
    before it, at the margin) that opens with a question, a question word first, and
    answers it on the same line."""
    line = lines[i]
    if (i > first and lines[i - 1].strip()) or line[:1].isspace():
        return None
    if line.lstrip().startswith((">", "<", "|", "#")):
        return None
    m = _PLAIN_Q.match(line.strip())
    inline = _inline_answer(line) if m else None
    if inline is None:
        return None
    return _Start(line=i, body=i, question=inline[0], kind="qa", answer=inline[1],
                  uncertain=_PARAGRAPH_QA)  # fmt: skip


def _next_nonblank(lines: list[str], i: int, last: int) -> int | None:
    j = i + 1
    while j <= last and not lines[j].strip():
        j += 1
    return j if j <= last else None


_UNINDENTED = "answer not indented under the list question"


def _list_start(lines: list[str], i: int, last: int) -> _Start:
    m = _LIST.match(lines[i].replace("\t", "    "))
    assert m is not None
    marker_indent = len(m.group(1))
    j = _next_nonblank(lines, i, last)
    uncertain: str | None = None
    if j is None:
        uncertain = "no answer"
    else:
        nxt = lines[j].replace("\t", "    ")
        nm = _LIST.match(nxt)
        if _indent(nxt) > marker_indent and not (nm and len(nm.group(1)) <= marker_indent):
            # An indented answer: the common, certain shape. It ends where the text
            # comes back to the list's margin after a blank line with something that is
            # no list item (a paragraph of its own, as in Markdown).
            return _Start(line=i, body=i + 1, question=clean_question(m.group(2)),
                          kind="list", end=_indented_end(lines, j, last, marker_indent))
        elif nm or re.match(r"^\s*#", nxt):
            uncertain = "no answer"  # the next question or item, or a heading
        else:
            uncertain = _UNINDENTED
    return _Start(line=i, body=i + 1, question=clean_question(m.group(2)), kind="list",
                  uncertain=uncertain)  # fmt: skip


def _indented_end(lines: list[str], j: int, last: int, margin: int) -> int | None:
    """The last line of an answer indented past ``margin`` from line ``j``, when a
    paragraph at the margin follows it after a blank line; else None (the answer runs
    on to the next question)."""
    end = j
    k = j + 1
    while k <= last:
        raw = lines[k].replace("\t", "    ")
        if not raw.strip():
            k += 1
            continue
        if _indent(raw) > margin:
            end = k
            k += 1
            continue
        blank_before = not lines[k - 1].strip()
        if blank_before and not _LIST.match(raw) and not raw.lstrip().startswith("#"):
            return end
        return None
    return None


def _emphasis_start(lines: list[str], i: int) -> _Start | None:
    """``**Q?**``, ``__Q?__``, ``*Q?*``, ``- **Q?** answer on the same line``."""
    m = _EMPH_LINE.match(lines[i])
    if not m:
        return None
    inner, rest = m.group(2), m.group(3).strip()
    if not asks(inner):
        return None
    if m.group(1) in ("*", "_") and rest:
        return None  # a single emphasised word or phrase inside a sentence
    uncertain = answer = None
    if rest and not rest.startswith(("[", "(")):
        # "**What is X?** X is ...": the answer's first words share the question's line
        # and are part of the answer (a source link there is not).
        uncertain = "answer starts on the question's line"
        answer = rest
    return _Start(line=i, body=i if answer else i + 1, question=clean_question(inner),
                  kind="bold", uncertain=uncertain, answer=answer)  # fmt: skip


def _spanish_label(lines: list[str], i: int) -> bool:
    """"P:" at line ``i`` labels a question: the document is Spanish and the line is no
    item of a legend ("- P: la precisión" under "..., donde:")."""
    if _LIST.match(lines[i]):
        return False
    above = next((ln.strip() for ln in reversed(lines[:i]) if ln.strip()), "")
    return not above.endswith(":") and _document_language("\n".join(lines)) == "es"


def _qa_start(lines: list[str], i: int, last: int) -> _Start | None:
    """``Q: ...`` (bold or not, maybe over several lines) up to ``A: ...``."""
    m = _Q_LABEL.match(lines[i])
    q_label, a_label = _Q_LABEL, _A_LABEL
    if m and _LIST.match(lines[i]) and _OPTION.match(lines[i]) and not asks(m.group(1)):
        return None  # "- Q: the queries" beside "- V: the values": symbols, not labels
    if not m:
        # "P:" / "R:" label a Spanish question and answer; in English notes they name
        # symbols ("P: precision"), unless the labelled text asks.
        m = _Q_LABEL_ES.match(lines[i])
        if m is None or not (asks(m.group(1)) or _spanish_label(lines, i)):
            return None
        q_label, a_label = _Q_LABEL_ES, _A_LABEL_ES
    # "Q." alone could open an ordinary sentence ("Q. Smith wrote ..."): a Q-label needs
    # a colon, or a question after it.
    label_colon = _Q_LABEL_COLON.match(lines[i])
    text = [m.group(1)]
    j = i + 1
    while j <= last and lines[j].strip() and not (
        a_label.match(lines[j]) and not _is_option(lines, j, last)
    ):
        if j - i >= 4 or q_label.match(lines[j]):
            break  # (the next question: this one had no answer)
        text.append(lines[j])
        j += 1
    question = clean_question(" ".join(text))
    if not question or not (label_colon or asks(question)):
        return None
    labelled = j <= last and lines[j].strip() and a_label.match(lines[j])
    body = j if labelled and not _is_option(lines, j, last) else i + 1
    if body == i + 1 and len(text) > 1:
        body = i + len(text)
    return _Start(line=i, body=body, question=question, kind="qa")


# "- A: SGD" over "- B: Adam": the options of a multiple-choice question.
_OPTION = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+(?:\*\*|__)?([A-Za-z])\s*(?:\*\*|__)?[:.)]")


def _is_option(lines: list[str], j: int, last: int) -> bool:
    """Line ``j`` is a lettered list item next to the item of the letter after or
    before it: a choice to pick from, not an answer label."""
    m = _OPTION.match(lines[j])
    if m is None:
        return False
    letter = ord(m.group(1).lower())
    for k, step in ((j + 1, 1), (j - 1, -1)):
        n = _OPTION.match(lines[k]) if 0 <= k <= last else None
        if n is not None and ord(n.group(1).lower()) == letter + step:
            return True
    return False


def _callout_start(lines: list[str], i: int, last: int) -> _Start | None:
    """``> [!question] Q?`` (or a callout whose first line asks): the unit is the
    callout, up to its last quoted line; what follows is its section's text."""
    start = _callout_question(lines, i, last)
    if start is None:
        return None
    end = i
    while end + 1 <= last and lines[end + 1].lstrip().startswith(">"):
        end += 1
    if end < start.body:
        # Only the question is quoted: its answer is the text that follows.
        return start
    if _next_nonblank(lines, end, last) is not None:
        start.end = end
    return start


def _callout_question(lines: list[str], i: int, last: int) -> _Start | None:
    m = _CALLOUT.match(lines[i])
    if not m:
        return None
    ctype, title = m.group(1).lower(), m.group(2).strip()
    if not title:
        # The question may be the first line inside the callout.
        j = i + 1
        if j <= last and lines[j].lstrip().startswith(">"):
            inner = lines[j].lstrip()[1:].strip()
            if asks(inner) or ctype in QUESTION_CALLOUTS:
                return _Start(line=i, body=j + 1, question=clean_question(inner),
                              kind="details")  # fmt: skip
        return None
    if asks(title):
        return _Start(line=i, body=i + 1, question=clean_question(title), kind="details")
    if ctype in QUESTION_CALLOUTS:
        return _Start(line=i, body=i + 1, question=clean_question(title), kind="details",
                      uncertain="question callout whose title does not ask")  # fmt: skip
    return None


def reveal_only(text: str) -> str:
    """``text`` without the summaries of collapsible blocks that only say "open me"
    ("Show answer")."""

    def drop(m: re.Match[str]) -> str:
        words = _words(plain(m.group(1)))
        return "" if all(w.lower() in REVEAL_WORDS for w in words) else m.group(0)

    return _SUMMARY.sub(drop, text)


def _answers_previous(
    lines: list[str], i: int, starts: list[_Start], run: list[_Start]
) -> bool:
    """The block at line ``i`` holds the answer of the question just before it."""
    prev = i - 1
    while prev >= 0 and not lines[prev].strip():
        prev -= 1
    return any(s.line == prev for s in (*starts[-1:], *run[-1:]))


def _details_start(
    lines: list[str], i: int, last: int, starts: list[_Start], run: list[_Start]
) -> tuple[_Start | None, int] | None:
    """A ``<details>`` block opening at line ``i``: (its unit or None, the nesting depth
    left open after this line). None when no block opens here."""
    line = lines[i]
    if not _DETAILS_OPEN.search(line):
        return None
    depth = len(_DETAILS_OPEN.findall(line)) - len(_DETAILS_CLOSE.findall(line))
    # The summary may sit on this line or a few lines below.
    window = "\n".join(lines[i : min(last, i + 4) + 1])
    sm = _SUMMARY.search(window)
    summary = clean_question(sm.group(1)) if sm else ""
    summary_line = i + window[: sm.end()].count("\n") if sm else i
    reveal = not summary or all(w.lower() in REVEAL_WORDS for w in _words(summary))
    if not reveal:
        uncertain = None if asks(summary) else "summary does not ask; read as a question"
        return _Start(line=i, body=summary_line + 1, question=summary, kind="details",
                      uncertain=uncertain), depth  # fmt: skip
    # "Show answer": the question is the line before the block.
    prev = i - 1
    while prev >= 0 and not lines[prev].strip():
        prev -= 1
    if prev < 0:
        return None, depth
    if (starts and starts[-1].line == prev) or (run and run[-1].line == prev):
        # The previous question's answer is in this block: count it as answered.
        if run and run[-1].line == prev:
            run[-1].uncertain = None
        return None, depth
    if asks(lines[prev]) and not lines[prev].lstrip().startswith("#"):
        return _Start(line=prev, body=summary_line + 1, question=clean_question(lines[prev]),
                      kind="details"), depth  # fmt: skip
    return None, depth


# ---- tables, numbered headings, terms and labels ----------------------------------------

_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_NUMBER_CELL = re.compile(r"^(?:[A-Za-z]{1,2})?#?\s*\d{1,4}[.)]?$")
_NUMBER_LABEL = re.compile(
    r"^(?:([A-Za-z]+)\.?\s*)?(?:no\.?\s*|#\s*)?\d{1,4}[a-z]?\s*[.):\-–—]?$", re.IGNORECASE
)
# "**Term**: definition", "**Term:** definition", "**Term** - definition", "**Term**",
# as a paragraph or a top-level list item ("- **Term** — definition").
_LABEL_LINE = re.compile(
    r"^(?: {0,3}(?:[-*+•]|\d{1,3}[.)])\s+)?"
    r"(\*\*|__)(?=\S)([^*_]{1,60}?)(?<=\S)\1\s*(?:([:\-–—])\s*)?(.*)$"
)
# "Term: definition" and "Term - definition" headings.
_TERM_SPLIT = re.compile(r"^(.{1,60}?)(?::\s+|\s+[-–—]\s+)(\S.*)$")


def table_cells(line: str) -> list[str]:
    """The cells of a Markdown table row (escaped pipes kept in their cell)."""
    t = line.strip()
    if t.startswith("|"):
        t = t[1:]
    if t.endswith("|") and not t.endswith("\\|"):
        t = t[:-1]
    return [c.strip() for c in re.split(r"(?<!\\)\|", t)]


def is_table_separator(line: str) -> bool:
    return "-" in line and "|" in line and bool(_TABLE_SEP.match(line))


def _names_column(header: str, names: frozenset[str]) -> bool:
    words = [w.lower() for w in _words(plain(header))]
    return bool(words) and words[0] in names and len(words) <= 3


def _table_starts(
    lines: list[str], i: int, last: int, notes: list[tuple[int, str]] | None
) -> tuple[list[_Start], int] | None:
    """A table whose header opens at line ``i`` and that holds questions and answers: a
    column named as the questions ("Question", "Q") or whose cells ask, and a column of
    answers (named as such, else the other columns). Returns the rows as units and the
    table's last line; None when no such table starts here."""
    if "|" not in lines[i] or i + 1 > last or not is_table_separator(lines[i + 1]):
        return None
    header = table_cells(lines[i])
    end = i + 1
    rows: list[tuple[int, list[str]]] = []
    while end + 1 <= last and "|" in lines[end + 1] and lines[end + 1].strip():
        end += 1
        rows.append((end, table_cells(lines[end])))
    if not rows:
        return None
    width = max(len(header), *(len(c) for _, c in rows))

    def column(k: int) -> list[str]:
        return [cells[k] if k < len(cells) else "" for _, cells in rows]

    numbering = {
        k for k in range(width)
        if all(not c or _NUMBER_CELL.match(plain(c)) for c in column(k))
    }  # fmt: skip
    qcol = next(
        (k for k, h in enumerate(header) if k not in numbering
         and _names_column(h, QUESTION_COLUMNS)), None,
    )  # fmt: skip
    if qcol is None:
        for k in range(width):
            cells = [c for c in column(k) if c]
            if k not in numbering and cells and 2 * sum(asks(c) for c in cells) > len(cells):
                qcol = k
                break
    if qcol is None:
        # A glossary ("Term | Meaning") asks each term as a topic; any other table is
        # read as text of its section.
        glossary = _glossary_rows(header, rows, width, numbering, "\n".join(lines))
        for row in glossary:
            row.table_head = i
        return glossary, end
    acols = [k for k, h in enumerate(header) if k != qcol and _names_column(h, ANSWER_COLUMNS)]
    if not acols:
        # Every other column, but those that only list pages to read ("References").
        acols = [
            k for k in range(width) if k != qcol and k not in numbering
            and not (k < len(header) and is_reading_list([header[k]]))
        ]  # fmt: skip
    from interviewer.corpus import is_stub_text, without_links

    out: list[_Start] = []
    for n, cells in rows:
        cell = cells[qcol] if qcol < len(cells) else ""
        question = clean_question(cell)
        if not question:
            continue
        answer = "; ".join(cells[k] for k in acols if k < len(cells) and cells[k])
        answer = re.sub(r"\s*<br\s*/?>\s*", "\n", answer, flags=re.IGNORECASE)
        out.append(_Start(line=n, body=n, question=question, kind="table", answer=answer, end=n,
                          table_head=i))  # fmt: skip
    # Questions whose cells hold only links to read are a reading list, not answers.
    bare = sum(is_stub_text(without_links(s.answer or "")) for s in out)
    if out and 2 * bare >= len(out):
        if notes is not None:
            notes.append((i, f"table of {len(out)} questions with no answers of their own "
                             "(links or empty cells); not asked"))  # fmt: skip
        return [], end
    return out, end


def _glossary_rows(
    header: list[str],
    rows: list[tuple[int, list[str]]],
    width: int,
    numbering: set[int],
    context: str = "",
) -> list[_Start]:
    """The rows of a glossary table as topics: two columns (numbering aside), one of
    short terms that do not ask and one of definitions, named as such by the header
    ("Term", "Meaning"). A comparison table ("Feature | A | B") is none."""
    cols = [k for k in range(width) if k not in numbering]
    if len(cols) != 2:
        return []
    tcol, dcol = cols
    named = (tcol < len(header) and _names_column(header[tcol], TERM_COLUMNS)) or (
        dcol < len(header) and _names_column(header[dcol], DEFINITION_COLUMNS)
    )
    if not named:
        return []
    out: list[_Start] = []
    for n, cells in rows:
        term = plain(cells[tcol]) if tcol < len(cells) else ""
        definition = cells[dcol].strip() if dcol < len(cells) else ""
        words = _words(term)
        if not words or len(words) > 6 or asks(term):
            return []  # not a column of terms
        if not _glossary_row(term, definition):
            continue  # a term with no definition to ask about
        definition = re.sub(r"\s*<br\s*/?>\s*", "\n", definition, flags=re.IGNORECASE)
        asked = topic_question(term, definition, context, term=True)
        out.append(_Start(line=n, body=n, question=asked, kind="topic", answer=definition,
                          end=n, name=term))  # fmt: skip
    return out if len(out) >= 2 else []


def _table_answer(raw: str) -> str | None:
    """A row of a question/answer table as answer text: the question's cell and
    numbering cells dropped. None when the row holds no question (an ordinary table
    row, read as written)."""
    if "|" not in raw or FENCE.match(raw):
        return None
    if "||" in raw and not raw.lstrip().startswith("|"):
        return None  # "a || b" in a sentence: an operator, not an empty cell
    if raw.lstrip().startswith("|") and is_table_separator(raw):
        return ""
    cells = [c for c in table_cells(raw) if c and not _NUMBER_CELL.match(plain(c))]
    if len(cells) < 2:
        return None
    first = _words(clean_question(cells[0]))
    if asks(cells[0]) or (first and first[0].lower() in QUESTION_START):
        answer = "; ".join(c for c in cells[1:] if not asks(c))
        return re.sub(r"\s*<br\s*/?>\s*", " ", answer, flags=re.IGNORECASE)
    if len(cells) == 2 and _glossary_row(cells[0], cells[1]):
        # A glossary row reads as a labelled definition, as "- **Term** — ..." does.
        definition = re.sub(r"\s*<br\s*/?>\s*", " ", cells[1], flags=re.IGNORECASE)
        return f"{plain(cells[0])} — {definition}"
    return None


def _glossary_row(term: str, definition: str) -> bool:
    """A short term that neither asks nor ends a sentence, then a definition of a few
    words or more that is not only a link."""
    words = _words(plain(term))
    if not words or len(words) > 6 or asks(term) or plain(term).endswith((".", "!", ":")):
        return False
    from interviewer.corpus import without_links

    return len(_words(plain(without_links(definition)))) >= 3


def is_number_label(heading: str) -> bool:
    """A heading that only numbers an item: "Q1", "12.", "Question 3", "Problem #4"."""
    m = _NUMBER_LABEL.match(plain(heading).strip())
    if m is None:
        return False
    return m.group(1) is None or m.group(1).lower() in NUMBER_LABELS


def _first_line_question(lines: list[str], j: int, last: int) -> _Start | None:
    """The question written as the first line under a numbering heading: a bold or
    emphasised line, a "Q:" label, or a plain line that asks."""
    start = _qa_start(lines, j, last) or _emphasis_start(lines, j)
    if start is not None:
        return start
    line = lines[j].strip()
    if asks(line) and not line.startswith(("#", "|", ">", "<")) and len(line.split()) <= 40:
        return _Start(line=j, body=j + 1, question=clean_question(line), kind="heading")
    return None


def split_term(heading: str) -> tuple[str, str] | None:
    """"TCP: reliable, ordered delivery" -> ("TCP", "reliable, ordered delivery"): a
    short term, then a description (not a title: "Coding: Interactive Challenges" names
    no term). None for other headings, numbering ("Step 1: ...") and aspects."""
    text = plain(heading)
    m = _TERM_SPLIT.match(text)
    if not m:
        return None
    term, rest = m.group(1).strip(), m.group(2).strip()
    words = _words(term)
    if not words or len(words) > 4 or not re.search(r"[A-Za-zÀ-ÿ]", term):
        return None
    if is_number_label(term) or _NUMBERING.match(term + " ") or words[0].lower() in ASPECT_WORDS:
        return None
    if asks(term) or asks(text):
        return None
    rest_words = [w for w in _words(rest) if w.lower() not in STOP]
    # "Kubernetes: Pods", "Coding: Interactive Challenges": a name, not a description.
    titled = bool(rest_words) and all(w[:1].isupper() or w[:1].isdigit() for w in rest_words)
    if titled or not re.search(r"[A-Za-zÀ-ÿ]", rest):
        return None
    return term, rest


def split_category(heading: str) -> tuple[str, str] | None:
    """"Sorting: Quicksort", "Monitoring - The Four Golden Signals" -> (category,
    name): a short category, then the name of the subject in title style. The subject
    is the name; the category only files it. None for "Term: definition" headings,
    numbering ("Step 2: Design"), aspects and containers."""
    m = _TERM_SPLIT.match(plain(heading))
    if not m:
        return None
    category, name = m.group(1).strip(), m.group(2).strip(" .")
    cwords = _words(category)
    if not cwords or len(cwords) > 3 or is_number_label(category):
        return None
    if _NUMBERING.match(category + " ") or cwords[0].lower() in ASPECT_WORDS:
        return None
    if cwords[0].lower() in NUMBER_LABELS or asks(heading) or is_container(category):
        return None
    nwords = [w for w in _words(name) if w.lower() not in STOP]
    if not nwords or len(_words(name)) > 8:
        return None
    if not all(w[:1].isupper() or w[:1].isdigit() for w in nwords):
        return None
    return category, name


def names_container(heading: str) -> bool:
    """A "Category: name" heading whose category is a part of the document ("Coding
    resource: ...", "Reading list - ...")."""
    m = _TERM_SPLIT.match(plain(heading))
    if not m:
        return False
    words = [w.lower() for w in _words(m.group(1))]
    return bool(words) and len(words) <= 4 and words[-1] in CONTAINER_WORDS


_DEF_LINE = re.compile(r"^ {0,3}:[ \t]+\S")


def _definition_term(lines: list[str], k: int, last: int) -> str | None:
    """The term at line ``k`` of a definition list ("Term" over ": definition"): a
    short line at the margin that neither asks nor ends a sentence."""
    if k + 1 > last or _indent(lines[k]) or not _DEF_LINE.match(lines[k + 1]):
        return None
    term = plain(lines[k]).strip()
    return term if _term_label(term) and not term.endswith((".", ":")) else None


_NO_TERM = lexicon.words("subject_adverbs") | lexicon.words("imperative_verbs")


def _term_label(label: str) -> bool:
    """A label that can name a topic of its own: a few words that do not ask, number an
    item, name an aspect of what is above it ("Pros") or the document ("Glossary"), nor
    are one adverb or verb ("Also", "Fix": a remark on the answer above)."""
    words = _words(label)
    if not words or len(words) > 6 or asks(label) or is_number_label(label):
        return False
    if words[0].lower() in ASPECT_WORDS or is_container(label):
        return False
    return not (len(words) == 1 and words[0].lower() in _NO_TERM)


def _definition_run(lines: list[str], i: int, last: int) -> list[tuple[int, str, int]]:
    """The terms of a definition list from line ``i`` on: (term line, term, last line
    of its definitions), while one term follows another after at most a blank line."""
    out: list[tuple[int, str, int]] = []
    k = i
    while k <= last:
        term = _definition_term(lines, k, last)
        if term is None:
            break
        end = k + 1
        # Its definitions (": ...") and their indented continuation lines.
        while end + 1 <= last and lines[end + 1].strip() and (
            _DEF_LINE.match(lines[end + 1]) or _indent(lines[end + 1]) > 0
        ):
            end += 1
        out.append((k, term, end))
        k = end + 1
        while k <= last and not lines[k].strip():
            k += 1
    return out


def _label_topics(lines: list[str], first: int, last: int) -> list[_Start]:
    """Bold labels that open paragraphs ("**TCP**: reliable, ordered delivery") under a
    heading with no notes of its own before them: each is a topic of its own, named by
    its label. Two or more are needed; a label that asks, names an aspect ("Pros:") or
    has no definition is none."""
    from interviewer.corpus import STUB_WORDS, is_stub_text, substantive_words

    found: list[tuple[int, str, str]] = []  # (line, label, definition on its line)
    first_label: int | None = None
    in_fence = False
    for k in range(first, last + 1):
        line = lines[k]
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence or _indent(line) > 3:
            continue
        m = _LABEL_LINE.match(line)
        if not m:
            term = _definition_term(lines, k, last)
            if term is not None:
                # "Term" over ": definition" (a definition list of Pandoc and others).
                first_label = k if first_label is None else first_label
                found.append((k, term, ""))
            continue
        label, sep, rest = m.group(2), m.group(3), m.group(4).strip()
        colon_inside = label.rstrip().endswith(":")
        label = plain(label).rstrip(":").strip()
        if rest and not (sep or colon_inside):
            continue  # emphasis inside a sentence ("**ACID** is ...")
        if not _term_label(label):
            continue
        if first_label is None:
            first_label = k
        found.append((k, label, rest))
    if len(found) < 2 or first_label is None:
        return []
    intro = "\n".join(lines[first:first_label])
    if substantive_words("\n".join(ln for ln in intro.split("\n") if not asks(ln))) >= STUB_WORDS:
        return []  # the heading's own notes: the labels name parts of its answer
    out: list[_Start] = []
    for n, (k, label, rest) in enumerate(found):
        end = found[n + 1][0] - 1 if n + 1 < len(found) else last
        body = "\n".join([rest, *lines[k + 1 : end + 1]]).strip()
        if is_stub_text(body):
            continue
        asked = topic_question(label, body, "\n".join(lines), term=True)
        out.append(_Start(line=k, body=k if rest else k + 1, question=asked, name=label,
                          kind="topic", answer=rest or None))  # fmt: skip
    return out if len(out) >= 2 else []


# ---- marking a document's units ---------------------------------------------------------


def unit_id(source: str, question: str, line: int) -> str:
    key = f"{source}\x00{question}\x00{line}"
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def split_sections(
    source: str, lines: list[str], sections: list[Section], notes: list[ShapeNote] | None = None
) -> list[Section]:
    """Cut every heading section that does not itself ask at its explicit questions.
    Returns the new list of sections, the units among them marked."""
    from interviewer.corpus import (
        _links,
        is_stub_text,
        question_text,
        section_id,
        todo_lines,
    )

    out: list[Section] = []
    asking: list[tuple[int, bool]] = []  # enclosing headings: (level, asks)
    renamed: tuple[list[str], list[str]] | None = None  # a numbering heading's path, new
    for n_sec, sec in enumerate(sections):
        body_first = sec.line_start if sec.level > 0 else sec.line_start - 1  # 0-based
        if sec.body_line:
            body_first = sec.body_line - 1  # (below a setext heading's underline)
        last = sec.line_end - 1
        if renamed and sec.heading_path[: len(renamed[0])] == renamed[0]:
            sec.heading_path = [*renamed[1], *sec.heading_path[len(renamed[0]) :]]
        numbered = _numbered_question(lines, sec, body_first, last)
        if numbered is not None:
            # "### Q12" over "What is X?": the heading is the question's number; the
            # question names the unit (in citations and chunk headings too).
            body_first = numbered.body
            sec.is_question = True
            sec.question = numbered.question
            sec.body_line = numbered.body + 1
            renamed = (list(sec.heading_path), [*sec.heading_path[:-1], numbered.question])
            sec.heading_path = renamed[1]
            _set_text(sec, lines, body_first, last)
        while asking and asking[-1][0] >= sec.level:
            asking.pop()
        in_answer = any(a for _, a in asking)
        if sec.level > 0:
            asking.append((sec.level, sec.is_question))
        raw_notes: list[tuple[int, str]] = []
        grouping = sec.level > 0 and is_question_group(sec.heading_path[-1])
        starts = find_questions(lines, body_first, last, raw_notes, grouping)
        if not starts and not sec.is_question and not in_answer and not (
            sec.level > 0 and (is_aspect(sec.heading_path[-1]) or is_reading_list(sec.heading_path))
        ):
            starts = _label_topics(lines, body_first, last)
        if sec.is_question and sec.level > 0:
            sec.unit_kind = "heading"
            sec.question = as_asked(sec.question or clean_question(
                question_text(sec.heading_path[-1])
            ) or question_text(sec.heading_path[-1]), sec.text)
            # Under a heading that asks, list items that ask are part of its answer;
            # a marked question (bold, Q:, a collapsible block) is a question of its own.
            # (So is a paragraph that opens with a question: a rhetorical one.)
            starts = [
                s for s in starts
                if s.kind != "list" and s.uncertain != _PARAGRAPH_QA and not s.term_run
            ]  # fmt: skip
            raw_notes = []
            if not starts:
                out.append(sec)
                continue
        if notes is not None:
            notes.extend(
                ShapeNote(source=source, line=n + 1, heading=sec.heading, reason=r)
                for n, r in raw_notes
            )
        if not starts:
            out.append(sec)
            continue
        # The section's own text before its first question stays a plain section (but
        # the header of a table whose rows are the questions belongs to no one).
        head_end = _text_end(starts[0]) - 1
        while head_end >= body_first and not lines[head_end].strip():
            head_end -= 1
        if sec.unit_kind == "heading" and head_end < body_first:
            sec.uncertain = "a heading that asks, with no answer before its first sub-question"
        if sec.level > 0 or head_end >= body_first:
            end_line = max(head_end + 1, sec.line_start)
            text = "\n".join(lines[body_first : head_end + 1]).strip("\n")
            sec.line_end = end_line
            sec.text = text
            sec.links = _links("\n".join(lines[sec.line_start - 1 : end_line]), sec.line_start)
            sec.is_stub = is_stub_text(text)
            sec.todo_lines = todo_lines(text)
            # Topics of ours cut out of it (glossary rows, labels) leave a heading with
            # notes of its own askable as a topic too; explicit questions do not.
            sec.has_units = any(st.kind != "topic" for st in starts)
            out.append(sec)
        # Questions under a heading that asks stand beside it (its answer is its own);
        # under a plain heading they are its parts.
        level = sec.level if sec.unit_kind == "heading" else (sec.level + 1 if sec.level else 1)
        nxt = sections[n_sec + 1] if n_sec + 1 < len(sections) else None
        if sec.unit_kind != "heading" and nxt is not None and nxt.level > level and (
            nxt.is_question
        ):
            # A sub-heading that asks after the questions cut out of this text is a
            # question beside them, not a part of the last one's answer.
            level = nxt.level
        for n, st in enumerate(starts):
            end = max(_text_end(starts[n + 1]) - 1, st.line) if n + 1 < len(starts) else last
            while end > st.line and not lines[end].strip():
                end -= 1
            tail: Section | None = None
            if st.end is not None and st.end < end:
                # Text after a question/answer table is about the table or its heading,
                # not the answer of the last row: a section of its own, in no unit.
                first_tail = _next_nonblank(lines, st.end, end)
                if first_tail is not None:
                    text = "\n".join(lines[first_tail : end + 1]).strip("\n")
                    tail = sec.model_copy(
                        update={
                            "id": section_id(source, sec.heading_path, first_tail + 1),
                            "level": level,
                            "line_start": first_tail + 1,
                            "line_end": end + 1,
                            "body_line": first_tail + 1,
                            "text": text,
                            "links": _links(text, first_tail + 1),
                            "is_stub": is_stub_text(text),
                            "is_question": False,
                            "todo_lines": todo_lines(text),
                            "unit_kind": None,
                            "question": None,
                            "uncertain": None,
                            "has_units": False,
                            "virtual": True,
                        }
                    )
                end = st.end
            body_start = min(st.body, end + 1)
            body = "\n".join(lines[body_start : end + 1]).strip("\n")
            if st.answer is not None:
                # The answer shares the question's line (a table row, a label).
                rest = "\n".join(lines[st.line + 1 : end + 1]).strip("\n")
                # A next line that is not blank goes on with the same paragraph.
                goes_on = st.line + 1 <= end and bool(lines[st.line + 1].strip())
                body = ("\n" if goes_on else "\n\n").join(x for x in (st.answer, rest) if x)
            path = [*sec.heading_path, st.name or st.question]
            unit = sec.model_copy(
                update={
                    "id": section_id(source, path, st.line + 1),
                    "heading_path": path,
                    "level": level,
                    "line_start": st.line + 1,
                    "line_end": end + 1,
                    "body_line": body_start + 1,
                    "text": body,
                    "links": _links("\n".join(lines[st.line : end + 1]), st.line + 1),
                    "is_stub": is_stub_text(_unquote(body)),
                    "is_question": True,
                    "todo_lines": todo_lines(body),
                    "unit_kind": st.kind,
                    "question": st.question,
                    "uncertain": st.uncertain,
                    "has_units": False,
                    "virtual": True,
                }
            )
            out.append(unit)
            if tail is not None:
                out.append(tail)
    return out


def _text_end(start: _Start) -> int:
    """The line where the text before ``start`` ends: its table's header for a table
    row (questions and answers, a glossary), else its own line."""
    return start.line if start.table_head is None else start.table_head


def _numbered_question(
    lines: list[str], sec: Section, body_first: int, last: int
) -> _Start | None:
    if sec.level == 0 or sec.is_question or not is_number_label(sec.heading_path[-1]):
        return None
    j = _next_nonblank(lines, body_first - 1, last)
    start = _first_line_question(lines, j, last) if j is not None else None
    # (A collapsible block that reveals the answer belongs to the question above it.)
    if start is None or any(s.line >= start.body for s in find_questions(lines, start.body, last)):
        return None  # "## Part 2" over several questions: a part, not a question's number
    return start


def _set_text(sec: Section, lines: list[str], first: int, last: int) -> None:
    from interviewer.corpus import is_stub_text, todo_lines

    text = "\n".join(lines[first : last + 1]).strip("\n")
    sec.text = text
    sec.is_stub = is_stub_text(text)
    sec.todo_lines = todo_lines(text)


def _unquote(text: str) -> str:
    # Callout and quote markers are not words of the answer.
    return "\n".join(re.sub(r"^\s*(?:>\s?)+", "", ln) for ln in text.split("\n"))


def mark_topics(sections: list[Section]) -> None:
    """Topic units: headings with substantial notes under them that neither ask nor hold
    explicit questions (their own or in their sub-sections), that are not containers
    ("Questions", "Further reading"), aspects of their parent ("Disadvantages: X"), the
    document's title, or parts of a question's answer."""
    headed = [s for s in sections if s.level > 0 and not s.virtual]
    top = min((s.level for s in headed), default=0)
    at_top = [s for s in headed if s.level == top]
    # (Units cut out of the title's own text count: a one-heading glossary has a title.)
    below = sum(1 for s in sections if s.level > 0)
    title_id = at_top[0].id if len(at_top) == 1 and below > 1 else None
    for i, sec in enumerate(sections):
        if sec.unit_kind is not None or sec.level == 0 or sec.virtual or sec.id == title_id:
            continue
        name = sec.heading_path[-1] if sec.heading_path else ""
        if is_container(name) or is_aspect(name) or names_container(name) or not plain(name):
            continue
        term = split_term(name)
        if sec.is_stub and not term:
            continue
        if not _substantial(sections, i, term[1] if term else ""):
            continue  # only questions to look up, or a few words
        if _words(plain(name))[:1] and _words(plain(name))[0].lower() in _LEADING_PREPOSITIONS:
            continue  # "In parallel", "Under development": a circumstance, not a subject
        inside_answer = False
        for anc in _ancestors(sections, i):
            # A question that holds nothing of its own but sub-sections ("A vs B" over
            # "CAP theorem") only groups them; otherwise they are parts of its answer.
            if anc.unit_kind not in (None, "topic") and (
                anc.text.strip() or anc.virtual or _really_asks(anc.heading_path[-1])
            ):
                inside_answer = True
                break
        if inside_answer:
            continue
        if sec.has_units or any(
            d.unit_kind not in (None, "topic")
            and (d.virtual or _really_asks(d.heading_path[-1]))
            for d in _descendants(sections, i)
        ):
            continue  # asked through its own questions (a comparison heading is no such)
        if any(d.virtual and d.unit_kind == "topic" for d in _descendants(sections, i)) and (
            not _substantial_own(sec)
        ):
            continue  # it only introduces its glossary or labels: they are the topics
        if _groups_topics(sections, i):
            continue
        sec.unit_kind = "topic"
        # "TCP: reliable, ordered delivery": the topic is the term; "Sorting: Quicksort":
        # the topic is the name, filed under its category.
        category = None if term else split_category(name)
        subject = term[0] if term else (category[1] if category else name)
        own = "\n".join([sec.text, *(d.text for d in _descendants(sections, i))])
        sec.question = topic_question(subject, f"{term[1] if term else ''}\n{own}")
        sec.is_question = True


_LEADING_PREPOSITIONS = lexicon.words("leading_prepositions")


def _groups_topics(sections: list[Section], i: int) -> bool:
    """A heading with no notes of its own ("Metrics", "Optimisation") over sub-headings
    that are topics of their own: it files them, it is not a subject to ask about."""
    from interviewer.corpus import STUB_WORDS, substantive_words

    own = "\n".join(ln for ln in sections[i].text.split("\n") if not asks(ln))
    if substantive_words(own) >= STUB_WORDS:
        return False
    children = [
        (i + 1 + n, d) for n, d in enumerate(_descendants(sections, i)) if not d.virtual
    ]
    if not children:
        return False
    direct = [(k, d) for k, d in children if d.level == min(c.level for _, c in children)]
    if len(direct) < 2:
        return False
    # Each direct sub-heading is a subject of its own: it names a topic (not an aspect
    # or a container) and has notes of its own.
    return all(
        not is_aspect(d.heading_path[-1]) and not is_container(d.heading_path[-1])
        and _substantial(sections, k)
        for k, d in direct
    )  # fmt: skip


def _substantial(sections: list[Section], i: int, definition: str = "") -> bool:
    """Notes of its own (lines that ask do not count: they are not notes; the
    definition of a "Term: definition" heading does), or a sub-section that has them."""
    from interviewer.corpus import STUB_WORDS, substantive_words

    # A topic asks for more than a short answer can give: a dozen words of notes.
    own = "\n".join(ln for ln in sections[i].text.split("\n") if not asks(ln))
    own = f"{definition}\n{own}" if definition else own
    if substantive_words(own) >= STUB_WORDS:
        return True
    return any(substantive_words(d.text) >= STUB_WORDS for d in _descendants(sections, i))


def _substantial_own(sec: Section) -> bool:
    from interviewer.corpus import STUB_WORDS, substantive_words

    own = "\n".join(ln for ln in sec.text.split("\n") if not asks(ln))
    return substantive_words(own) >= STUB_WORDS


def _really_asks(heading: str) -> bool:
    """A heading that asks in words (a question mark, a question word first), not one
    that only names a comparison ("Availability vs consistency")."""
    text = clean_question(heading)
    first = _words(text)[0].lower() if _words(text) else ""
    return "?" in text or first.split("'")[0] in QUESTION_START


def _ancestors(sections: list[Section], i: int) -> list[Section]:
    out: list[Section] = []
    level = sections[i].level
    for sec in reversed(sections[:i]):
        if 0 < sec.level < level:
            out.append(sec)
            level = sec.level
    return out


def _descendants(sections: list[Section], i: int) -> list[Section]:
    head = sections[i]
    out: list[Section] = []
    for sec in sections[i + 1 :]:
        if sec.level <= head.level:
            break
        out.append(sec)
    return out


def assign_unit_ids(sections: list[Section]) -> None:
    """Every section learns the innermost unit whose answer it belongs to: itself when it
    is a unit, else the nearest enclosing unit (by heading level), else none."""
    stack: list[Section] = []
    for sec in sections:
        while stack and stack[-1].level >= sec.level:
            stack.pop()
        if sec.unit_kind is not None:
            sec.unit_id = sec.id
        else:
            owner = next((s for s in reversed(stack) if s.unit_kind is not None), None)
            sec.unit_id = owner.id if owner is not None and sec.level > 0 else None
            if owner is not None and sec.level > 0:
                sec.unit_question = owner.question
        if sec.unit_kind is not None:
            sec.unit_question = sec.question
        if sec.level > 0:
            stack.append(sec)


def units_of(doc: Document) -> list[Unit]:
    """The units of a loaded document, each with the line range of its whole answer
    (sub-sections included)."""
    out: list[Unit] = []
    sections = doc.sections
    for i, sec in enumerate(sections):
        if sec.unit_kind is None or sec.question is None:
            continue
        members = [sec, *_descendants(sections, i)]
        stub = all(m.is_stub for m in members)
        out.append(
            Unit(
                id=sec.id,
                question=sec.question,
                kind=sec.unit_kind,  # type: ignore[arg-type]
                source=sec.source,
                heading_path=list(sec.heading_path),
                line_start=sec.line_start,
                line_end=max(m.line_end for m in members),
                is_stub=stub,
                uncertain=sec.uncertain,
                section_ids=[m.id for m in members],
            )
        )
    return out


# ---- answers as the grader reads them -------------------------------------------------

# Words that never end a sentence: a line that ends with one goes on in the next.
_OPEN_END = frozenset(
    "a an the and or but nor of to for with by as such than from in on at into via per "
    "like including between among versus vs".split()
)


def ends_open(text: str) -> bool:
    """Text that cannot end here: a parenthesis left open in its last sentence, or a
    last word that only joins ("... such as bcrypt or" + a new line)."""
    tail = re.split(r"[.!?]\s", text)[-1]
    if tail.count("(") > tail.count(")"):
        return True
    last = text.rsplit(None, 1)[-1].lower() if text.split() else ""
    return last in _OPEN_END


_TAG_ONLY = re.compile(r"^\s*(?:<[^>]+>\s*)+$")
_QUOTE = re.compile(r"^\s*(?:>\s?)+")
_ANSWER_LABEL = re.compile(
    rf"^(\s*)(?:(?:[-*+•]|\d{{1,3}}[.)])\s+)?(?:\*\*|__)?\s*(?:{A_LABEL})\s*(?:\*\*|__)?\s*",
    re.IGNORECASE,
)
_ANSWER_LABEL_ES = re.compile(
    rf"^(\s*)(?:(?:[-*+•]|\d{{1,3}}[.)])\s+)?(?:\*\*|__)?\s*(?:{A_LABEL_ES})\s*(?:\*\*|__)?\s*",
    re.IGNORECASE,
)


def _without_answer_label(line: str) -> str:
    """The line without its answer label; a Spanish one-letter label ("R:") only where
    the text after it reads as Spanish ("R: recall, the share ..." names a symbol)."""
    out = _ANSWER_LABEL.sub(r"\1", line, count=1)
    if out != line:
        return out
    m = _ANSWER_LABEL_ES.match(line)
    if m is None:
        return line
    from interviewer.language import language_scores

    rest = line[m.end() :]
    scores = language_scores(rest)
    return m.group(1) + rest if scores.get("es", 0) > scores.get("en", 0) else line


_CAPTION = re.compile(r"^\s*(?:source|sources|image|figure|fig|credit|credits|via)\b", re.I)


_BLOCK_ID = re.compile(r"\s\^[A-Za-z0-9-]+\s*$")
# Tags that end a line: the whole line, or after a sentence's end ("... pods. #k8s"),
# or two or more ("#k8s #networking"). One word after "#" ending a sentence may be a
# word of it ("use #pragma", "white is #fff").
_END_TAGS = re.compile(
    r"(?:^\s*|(?<=[.!?)\]])\s+)(?:#[A-Za-z][\w/-]*\s*)+$"
    r"|(?<=\s)(?:#[A-Za-z][\w/-]*\s+){1,}#[A-Za-z][\w/-]*\s*$"
)
_HIGHLIGHT = re.compile(r"(?<![\w=])==(?=\S)(.+?)(?<=\S)==(?![\w=])")


def _without_vault_marks(raw: str) -> str:
    """A line without the marks a notes app adds to it: a block id ("... ^p1"), tags
    that end it ("... #k8s #networking") and highlight ("==word=="). Code is left
    alone, and so is a "#" inside a word ("C#")."""
    if FENCE.match(raw) or "`" in raw:
        return raw
    line = _BLOCK_ID.sub("", raw)
    line = _END_TAGS.sub("", line).rstrip() if "#" in line else line
    line = _HIGHLIGHT.sub(r"\1", line) if "==" in line else line
    return line if line.strip() or not raw.strip() else ""


def answer_line(raw: str) -> str:
    """One line of an answer without the markup of its shape: quote and callout markers,
    an "A:" label, lines that hold only HTML tags (``<details>``, ``</summary>``), HTML
    tags around text, image captions that only name a source, and Obsidian's marks (a
    block id "^id" or tags "#topic" ending the line, "==highlight==")."""
    if _TAG_ONLY.match(raw):
        return ""
    if "^" in raw or "==" in raw or "#" in raw:
        raw = _without_vault_marks(raw)
    if "[[" in raw and not _SOURCE_MARK.search(raw):
        # (A source marker, "[[src]](url)", is left to go with its link.)
        from interviewer.corpus import wiki_to_text

        raw = wiki_to_text(raw)  # "[[Congestion control|congestion notes]]": its words
    row = _table_answer(raw)
    if row is not None:
        return row
    if raw.lstrip().startswith("<"):
        text = _TAG.sub(" ", raw)
        if _CAPTION.match(text):
            return ""
        raw = re.sub(r"\s+", " ", text).rstrip()
    line = _QUOTE.sub("", raw) if raw.lstrip().startswith(">") else raw
    if _CALLOUT.match(raw) or (line is not raw and re.match(r"^\s*\[![A-Za-z-]+\]", line)):
        return ""  # a callout's header, nested ones too ("> > [!success]- Answer")
    if _DEF_LINE.match(line):
        return re.sub(r"^(\s*):[ \t]+", r"\1", line, count=1)  # a definition list's marker
    card = _card_line(line) if "\t" in line or "::" in line else None
    if card is not None:
        return card[1]  # the card's question is no claim
    term = _term_card(line) if "\t" in line else None
    if term is not None:
        return f"{term[0]} — {term[1]}"  # a labelled definition, as a glossary row reads
    lm = _LIST.match(line.replace("\t", "    "))
    inline = _inline_answer(lm.group(2)) if lm and "?" in line else None
    if inline is not None:
        return line[: len(line) - len(line.lstrip())] + inline[1]  # the question is no claim
    para = _inline_answer(line) if "?" in line and not line[:1].isspace() else None
    if para is not None and _PLAIN_Q.match(line.strip()):
        return para[1]  # a paragraph that opens with its question: the answer after it
    em = _EMPH_LINE.match(line) if "?" in line else None
    if em is not None and em.group(1) in ("***", "___", "**", "__") and asks(em.group(2)):
        rest = em.group(3).strip()
        if rest and not rest.startswith(("[", "(")):
            return line[: len(line) - len(line.lstrip())] + rest  # "**Q?** answer ..."
    return _without_answer_label(line)


_BOLD_LABEL = re.compile(
    r"^\s*(?:(?:[-*+•]|\d{1,3}[.)])\s+)?(?:\*\*|__)([^*_]{2,60}?)(?:\*\*|__)\s*(?:[:\-–—]|$)"
)


_CONTENT_STOP = CONTAINER_WORDS | STOP | QUESTION_START


def _stems(text: str) -> set[str]:
    # A light stem (plural "s" dropped) is enough to see a name repeat the question.
    return {w.lower().rstrip("s") if len(w) > 3 else w.lower() for w in _words(plain(text))}


_READING = lexicon.words("reading_words")


def is_reading_list(path: list[str]) -> bool:
    """A heading that introduces pages to read ("Source(s) and further reading")."""
    words = {w.lower() for w in _words(plain(path[-1]).replace("(s)", "s"))} if path else set()
    return bool(words & _READING) and is_container(path[-1])


# Names that structure an answer are what an answer is expected to name first: above a
# list item (1.3) or a labelled one (1.5).
STRUCTURE_IMPORTANCE = 1.6


DETAIL_WEIGHT = 0.6


def structure_candidates(
    lines: list[str],
    sections: list[Section],
    unit_cls: type,
    candidate_cls: type,
    others: list | None = None,
) -> list:
    """Candidate key points for the grader (``unit_cls``/``candidate_cls`` are its
    classes), each a name in its own right, with its body as the unit's line range:
    the titles of the answer's direct sub-headings
    ("Cache-aside", "Write-through" under "When to update the cache") and the bold
    labels of its list items, when two or more of them name parallel things. Aspect
    headings ("Disadvantages", "Further reading") name no point."""
    if not sections:
        return []
    head = sections[0]
    out: list = []
    children = [
        s for s in sections[1:]
        if not s.virtual and s.level == min(x.level for x in sections[1:])
        and not is_aspect(s.heading_path[-1]) and not is_container(s.heading_path[-1])
    ]  # fmt: skip
    asked = _stems(" ".join([*head.heading_path, head.question or ""]))
    # A sub-heading that only restates the question ("About multi-label problems") names
    # nothing new.
    children = [c for c in children if _stems(c.heading_path[-1]) - asked - _CONTENT_STOP]
    if len(children) >= 2:
        for child in children:
            end = child.line_end
            for s in sections[sections.index(child) + 1 :]:
                if s.level <= child.level:
                    break
                end = s.line_end
            name = plain(child.heading_path[-1])
            out.append(unit_cls(name, child.line_start, end, child, True, 0))
    labelled: list = []
    for sec in sections:
        if sec is not head and sec not in children and sec.level <= head.level:
            continue
        in_fence = False
        for n in range(sec.first_body_line, sec.line_end + 1):
            raw = lines[n - 1] if n - 1 < len(lines) else ""
            if FENCE.match(raw):
                in_fence = not in_fence
                continue
            m = None if in_fence else _BOLD_LABEL.match(raw)
            if m and not asks(m.group(1)) and _stems(m.group(1)) - asked - _CONTENT_STOP:
                labelled.append(unit_cls(plain(m.group(1)).rstrip(":"), n, n, sec, True, 0))
    if len(labelled) >= 2:
        out.extend(labelled)
    elif not children:
        out.extend(_outline_names(lines, [head, *sections[1:]], asked, unit_cls))
    if others:
        # A reading list ("Source(s) and further reading") names pages, not points.
        others[:] = [c for c in others if not is_reading_list(c.unit.section.heading_path[-1:])]
    if out and others:
        # A name that is a whole list item is that item: one point, not two.
        named = {(u.section.source, u.line_start, u.text.lower()) for u in out}
        others[:] = [
            c for c in others
            if (c.unit.section.source, c.unit.line_start,
                plain(c.unit.text).rstrip(":").lower()) not in named
        ]  # fmt: skip
        # What the named parts say is their detail: it counts, below their names.
        spans = [(u.section.source, u.line_start, u.line_end) for u in out]
        for c in others:
            where = (c.unit.section.source, c.unit.line_start)
            if any(src == where[0] and a <= where[1] <= b for src, a, b in spans):
                c.importance *= DETAIL_WEIGHT
    # The label is the name itself: that is how the bank knows them (see even_structure).
    return [candidate_cls(u.text, u, STRUCTURE_IMPORTANCE, False, u.text, False) for u in out]


def _outline_names(lines: list[str], sections: list[Section], asked: set[str],
                   unit_cls: type) -> list:  # fmt: skip
    """The items of an outline that name its parts: top-level list items of a few words
    (no sentence, no question) that hold nested items, as in "1. Separate chaining"
    over its details. Each spans its nested items. Two or more are needed, and they
    must be most of the outline's top-level items."""
    found: list = []
    top_items = 0
    for sec in sections:
        in_fence = False
        rows: list[tuple[int, int, str]] = []  # (line number, indent, item text)
        for n in range(sec.first_body_line, sec.line_end + 1):
            raw = lines[n - 1] if n - 1 < len(lines) else ""
            if FENCE.match(raw):
                in_fence = not in_fence
                continue
            m = None if in_fence else _LIST.match(raw.replace("\t", "    ").lstrip(" "))
            if m is not None:
                rows.append((n, _indent(raw), m.group(2)))
        if not rows:
            continue
        base = min(ind for _, ind, _ in rows)
        for k, (n, ind, text) in enumerate(rows):
            if ind != base:
                continue
            top_items += 1
            nested = []
            for n2, ind2, _ in rows[k + 1 :]:
                if ind2 <= base:
                    break
                nested.append(n2)
            name = plain(text).rstrip(":")
            words = _words(name)
            if not nested or not words or len(words) > 5 or asks(name):
                continue
            if re.search(r"[.;!]\s*$|:\s", name) or not _stems(name) - asked - _CONTENT_STOP:
                continue
            end = nested[-1]
            # The last nested item runs on to its continuation lines.
            while end < sec.line_end and lines[end].strip() and _indent(lines[end]) > base \
                    and not _LIST.match(lines[end].replace("\t", "    ").lstrip(" ")):  # fmt: skip
                end += 1
            found.append(unit_cls(name, n, end, sec, True, 0))
    if len(found) < 2 or 2 * len(found) <= top_items:
        return []
    return found


def even_structure(points: list) -> None:
    """The names that structure an answer weigh alike, as much as the heaviest of them:
    nothing in a bare name says one strategy matters more than its siblings (its
    likeness to the question's words is no such signal)."""
    names = [kp for kp in points if kp.label and kp.text == kp.label]
    if len(names) < 2:
        return
    top = max(kp.importance for kp in names)
    for kp in names:
        kp.importance = top
