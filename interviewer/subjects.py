"""The subject of a question, as a short topic label: "What is the difference between
WHERE and HAVING?" -> "WHERE vs HAVING", "Explain RandomForests" -> "random forests",
"What is a load balancer, and when would you use one?" -> "load balancer".

A general rule from the grammar of questions: the question words, auxiliaries,
pronouns and the asking verb are dropped, comparisons become "A vs B", and the noun
phrase that follows is the subject. No word list of any subject."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from interviewer import lexicon
from interviewer.text import PERSONAL_PRONOUNS as PRONOUNS
from interviewer.text import QUESTION_BREAK

if TYPE_CHECKING:
    from collections.abc import Set as AbstractSet

# Every language's question words (see units_cues.txt).
QUESTION_WORDS = (
    lexicon.words("question_words_en") | lexicon.words("question_words_es")
    | lexicon.words("question_words_es_unmarked")
)  # fmt: skip
AUXILIARIES = lexicon.words("subject_auxiliaries")
DETERMINERS = lexicon.words("subject_determiners")
PREPOSITIONS = lexicon.words("subject_prepositions")
CONJUNCTIONS = lexicon.words("subject_conjunctions")
# Verbs that say what to do with the subject ("Explain X", "How would you tune X?").
ASKING_VERBS = lexicon.words("subject_asking_verbs")
# Verbs that set a task about the subject ("Implement X", "Reverse a linked list").
TASK_VERBS = lexicon.words("subject_task_verbs")
PARTICLES = lexicon.words("subject_particles")
# Words that qualify what is asked rather than name the subject.
HOLLOW = lexicon.words("subject_hollow")
# Hollow nouns that can end a subject's name ("primary key", "data type").
HOLLOW_HEADS = lexicon.words("subject_hollow_heads")
# Verbs that are seldom nouns: after the subject they end it.
VERBS = lexicon.words("subject_verbs")
OBJECT_PRONOUNS = lexicon.words("subject_object_pronouns")
ADVERBS = lexicon.words("subject_adverbs")
# Words of the asking part that name nothing ("to", Spanish "se").
LEAD_FILLERS = lexicon.words("subject_lead_fillers")
ARTICLES = lexicon.words("subject_articles")
DO_AUXILIARIES = lexicon.words("subject_do_auxiliaries")
BE_AUXILIARIES = lexicon.words("subject_be_auxiliaries")
# Words that join the parts of a name, as "of" does.
OF_WORDS = lexicon.words("subject_of_words")
# "<a noun that asks for a comparison> between A and B".
_COMPARE = re.compile(
    r"\b(?:" + lexicon.alternation("comparison_nouns") + r")(?:\s+\w+)?\s+(?:"
    + lexicon.alternation("comparison_links") + r")\s+(.+?)\s+(?:"
    + lexicon.alternation("comparison_joins") + r")\s+(.+)$",
    re.IGNORECASE,
)
_VERSUS = re.compile(r"^(.+?)\s+(?:vs\.?|versus)\s+(.+)$", re.IGNORECASE)
_COMPARE_VERB = re.compile(
    r"^(?:compare|contrast)\s+(.+?)\s+(?:and|with|to|vs\.?|versus)\s+(.+)$", re.IGNORECASE
)
_CHOICE = re.compile(
    r"\b(?:choose|pick|prefer|use|between)\s+(?:between\s+)?(.+?)\s+or\s+(.+)$", re.IGNORECASE
)
# "Why does X differ from Y", "How is X different from Y".
_DIFFER = re.compile(r"^(.+?)\s+(?:differs?|different)\s+from\s+(.+)$", re.IGNORECASE)
_NESTED = re.compile(r"\s(?=(?:how|why|what|when|which)\b)", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-zÀ-ÿ0-9][\w'’./+#-]*|/")
MAX_WORDS = 4


def _plain(text: str) -> str:
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links to their text
    text = re.sub(r"\([^()]*\)", " ", text)  # asides (sources included)
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"[*_`“”\"«»¿¡]", "", text)
    text = re.sub(r"^\s*(?:q?\d{1,3}[.):]|[-*+])\s+", "", text, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", text).strip()


def _split_camel(word: str) -> str:
    # "RandomForests" -> "Random Forests"; acronyms ("ReLU", "GeLU") are left alone.
    if sum(c.isupper() for c in word) >= 2 and re.fullmatch(r"(?:[A-Z][a-z]{2,})+s?", word):
        return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", word)
    return word


def _is_name(word: str) -> bool:
    """An acronym, a name written with inner capitals or a possessive name
    ("Dijkstra's", not "What's"): its case is kept."""
    base = re.sub(r"['’]s$", "", word).lower()
    possessive = word[:1].isupper() and word.endswith(("'s", "’s")) and not (
        base in QUESTION_WORDS or base in PRONOUNS or base in DETERMINERS
        or base in ("let", "here", "there")
    )
    return sum(c.isupper() for c in word) >= 2 or (
        word[:1].isupper() and word[1:2] in ("-", *"0123456789")  # "B-trees", "S3"
    ) or possessive


def bare_subject(subject: str, articles: AbstractSet[str] = frozenset({"the", "a", "an"})) -> str:
    """The subject without its leading article: 'the disadvantage of X' ->
    'disadvantage of X' (``articles``: those of the languages read)."""
    parts = subject.split()
    if len(parts) > 1 and parts[0].lower() in articles:
        parts = parts[1:]
    return " ".join(parts)


def _case(words: list[str]) -> str:
    out = []
    for w in words:
        out.append(w if _is_name(w) or (len(w) == 1 and w.isupper()) else w.lower())
    return " ".join(out)


def _noun_phrase(text: str) -> list[str]:
    """The leading noun phrase of ``text``: determiners and qualifiers skipped, cut at a
    verb-like word, a preposition (but "of"), a conjunction or an adverb."""
    tokens = [t for t in _TOKEN.findall(text) if t]
    words: list[str] = []
    skip = False
    singular = False  # the phrase opened with "a"/"an"
    for n, tok in enumerate(tokens):
        low = tok.lower().rstrip(".")
        if skip:
            skip = False
            continue
        nxt_tok = tokens[n + 1] if n + 1 < len(tokens) else ""
        if low in HOLLOW and re.fullmatch(r"[IVX]{1,4}|\d{1,2}|[A-Z]", nxt_tok):
            words.extend([tok, nxt_tok])  # "Type I", "Phase 2": a name with its number
            skip = True
            if len(words) >= MAX_WORDS:
                break
            continue
        if not words and (
            low in DETERMINERS or low in HOLLOW or low in PRONOUNS or low in OF_WORDS
        ):
            singular = singular or low in ("a", "an")
            continue
        if tok.isupper() and len(tok) > 1:
            words.append(tok)  # an acronym or a keyword ("WHERE"), never a question word
            if len(words) >= MAX_WORDS:
                break
            continue
        if low in AUXILIARIES or low in QUESTION_WORDS or low in CONJUNCTIONS - {"and"}:
            break
        if low in PREPOSITIONS and low not in OF_WORDS:
            break
        if low == "and" and (not words or len(words) >= 2):
            break
        if words and low in HOLLOW_HEADS:
            # The head noun ("primary key", "data type"), or a noun of a longer name
            # ("public key infrastructure"), not a qualifier of what follows ("its main
            # advantages").
            words.append(tok)
            if _ends_phrase(tokens, n):
                break
            continue
        nxt = tokens[n + 1].lower() if n + 1 < len(tokens) else ""
        if words and tok.islower() and low not in OF_WORDS and (
            nxt in OBJECT_PRONOUNS or nxt in ("a", "an", "the")
        ):
            break  # "What does TLS give you?", "Why do compilers use an IR?": a verb
        if words and (low.endswith("ly") and len(low) > 4 or low in HOLLOW or low in ADVERBS):
            break  # "a batch job instead of ...": the phrase ends before its adverb
        if (
            singular and words and tok.islower() and low.endswith("s")
            and not low.endswith(("ss", "us", "is", "as", "ies", "ics", "ous")) and len(low) > 3
            and words[-1].lower() not in OF_WORDS
        ):  # fmt: skip
            break  # "when a job fails": after "a" + noun, a word in -s is its verb
        if words and (low in VERBS or low in PRONOUNS):
            break  # "the model we built": a relative clause starts
        words.append(tok)
        if len(words) >= MAX_WORDS:
            break
    while words and (
        words[-1].lower() in OF_WORDS or words[-1].lower() in ("and", "/")
        or (words[-1].lower() in DETERMINERS and not words[-1].isupper())
    ):  # fmt: skip
        words.pop()
    return words


def _ends_phrase(tokens: list[str], n: int) -> bool:
    """Nothing but a preposition, a conjunction or a verb follows token ``n``."""
    if n + 1 >= len(tokens):
        return True
    nxt = tokens[n + 1].lower()
    return nxt in OF_WORDS or nxt in PREPOSITIONS | CONJUNCTIONS | AUXILIARIES | VERBS


def _strip_lead(clause: str) -> str:
    """Drop the asking part: question words, auxiliaries, pronouns, the asking verb."""
    tokens = clause.split()
    i = 0
    seen_question = False
    while i < len(tokens):
        low = tokens[i].lower().strip(",").replace("’", "'")
        base = low.split("'")[0].split("’")[0]
        if base in QUESTION_WORDS and not tokens[i].isupper():
            seen_question = True
            i += 1
            continue
        if low in ("let's", "lets"):
            # "Let's say you want to pick X" sets a scene the way a question word does.
            seen_question = True
            i += 1
            continue
        if low in AUXILIARIES or low in PRONOUNS or low in LEAD_FILLERS:
            i += 1
            continue
        nxt = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
        prev = tokens[i - 1].lower() if i > 0 else ""
        bare_verb = (
            seen_question and (prev in QUESTION_WORDS or prev in LEAD_FILLERS)
            and tokens[i].islower() and nxt in ARTICLES
            and low not in PREPOSITIONS and low not in DETERMINERS
        )  # fmt: skip
        if low in ASKING_VERBS or low in TASK_VERBS or (seen_question and low in VERBS) or (
            bare_verb  # "Why use a queue ...": a verb follows the question word
        ):
            i += 1
            # "How to deal with X": the verb's preposition belongs to the asking part.
            while i < len(tokens) - 1 and tokens[i].lower() in PREPOSITIONS | PARTICLES:
                i += 1
            continue
        if seen_question and i + 1 < len(tokens) and _verb_after_subject(tokens, i):
            # "How would you tune the cache": "tune" is the asking verb.
            i += 1
            while i < len(tokens) and (
                tokens[i].lower() in PREPOSITIONS or tokens[i].lower() in PARTICLES
            ):
                i += 1
            continue
        break
    return " ".join(tokens[i:])


def _verb_after_subject(tokens: list[str], i: int) -> bool:
    prev = tokens[i - 1].lower() if i else ""
    before = tokens[i - 2].lower() if i > 1 else ""
    # "you tune X", "to tune X", "would you tune X", "you would tune X"
    return (
        prev in PRONOUNS or prev == "to"
        or (prev in AUXILIARIES and before in PRONOUNS)
    )  # fmt: skip


def _our_wordings() -> list[re.Pattern[str]]:
    """Our own topic questions ("What is {np}, and when would you use it?"), read back:
    their noun phrase is the topic's name as the notes wrote it. Only the templates
    with a tail of ours: "What is the {np}?" is also how people ask anything."""
    out = []
    spanish = list(lexicon.templates("topic_templates_es").values())
    for text in [*lexicon.templates("topic_templates").values(), *spanish]:
        # (Spanish wordings join their tail with " y ": it is ours too.)
        if "{np}" not in text or not (re.search(r",\s", text) or text in spanish):
            continue
        pattern = re.escape(" ".join(text.split()))
        pattern = pattern.replace(re.escape("{article}"), "(?:a|an)")
        pattern = pattern.replace(re.escape("{np}"), "(?P<np>.+?)")
        out.append(re.compile(f"^{pattern}$"))
    return out


_OURS = _our_wordings()


_CODE = re.compile(r"(`+)(?=\S)(.+?)(?<=\S)\1")


def subject_label(question: str) -> str:
    """A short label naming what the question is about. A code span is one name, kept
    as written ("What does `__init__` do?" -> "__init__")."""
    spans: list[str] = []

    def tag(k: int) -> str:
        # Capitals only: the phrase reader keeps such a token whole, as an acronym.
        return "CODESPAN" + "".join(chr(65 + int(d)) for d in str(k)) + "Z"

    def hold(m: re.Match[str]) -> str:
        spans.append(m.group(2).strip())
        return tag(len(spans) - 1)

    if "`" in question:
        question = _CODE.sub(hold, question)
    label = _label(question)
    for k in reversed(range(len(spans))):
        label = label.replace(tag(k), spans[k])
    return label


def _label(question: str) -> str:
    for pattern in _OURS:
        m = pattern.match(" ".join(question.split()))
        if m is None:
            continue
        name = re.sub(r"\s*\([^()]*\)", "", m.group("np")).strip() or m.group("np")
        name = bare_subject(name, ARTICLES)
        if len(name.split()) <= MAX_WORDS:
            return _case([_split_camel(w) for w in name.split()])
        break  # a long name: its head, read as any question's
    plain = _plain(question)
    # Abbreviations whose dot does not end the sentence.
    plain = re.sub(r"\b(vs|e\.g|i\.e|etc|cf)\.", lambda m: m.group(1).replace(".", ""), plain)
    if not plain:
        return question.strip()[:40]
    sentence = re.split(r"[?!;]|\.(?:\s|$)", plain, maxsplit=1)[0].strip() or plain
    pair = _comparison(sentence)
    if pair:
        return pair
    clause = QUESTION_BREAK.split(plain, maxsplit=1)[0].strip() or plain
    # "In visual models, what ...": a leading phrase before the question is the subject.
    if clause.lower().split(" ", 1)[0] in PREPOSITIONS and "," in plain[: len(clause) + 1]:
        head = _noun_phrase(clause.split(" ", 1)[1] if " " in clause else clause)
        if head:
            return _case([_split_camel(w) for w in head])
    pair = _comparison(clause)
    if pair:
        return pair
    # "explain to an engineer how to interpret a p-value": the nested question asks.
    parts = _NESTED.split(clause)
    asked_by_verb = any(t.lower() in ASKING_VERBS for t in parts[0].split())
    if len(parts) > 1 and asked_by_verb and _noun_phrase(_strip_lead(parts[-1])):
        clause = parts[-1]
    clause = _skip_degree(clause)
    rest = _strip_lead(clause)
    words = _noun_phrase(rest)
    if not words:
        words = _noun_phrase(_strip_lead(plain)) or plain.split()[:MAX_WORDS]
    elif len(words) >= 2 and words[-1].islower() and _verb_last(clause, rest, words):
        words = words[:-1]  # "Why do neural networks overfit?": the verb, not the subject
    words = _do_supported(clause, rest, words)
    split = " ".join(_split_camel(w) for w in words).split()
    return _case(split[:MAX_WORDS])


HOW_ES = lexicon.words("subject_how_verbs_es")


def _skip_degree(clause: str) -> str:
    """"How long should a test run": "long" says how much is asked, it is no part of
    the subject; "How many replicas ..." keeps its noun."""
    tokens = clause.split()
    if len(tokens) > 2 and tokens[0].lower() in HOW_ES and tokens[1].lower() not in DETERMINERS:
        return " ".join([tokens[0], *tokens[2:]])  # "cómo funciona X": the verb comes first
    if (
        len(tokens) > 2 and tokens[0].lower() == "how"
        and tokens[2].lower() in AUXILIARIES and tokens[1].lower() not in AUXILIARIES
    ):  # fmt: skip
        return " ".join([tokens[0], *tokens[2:]])
    return clause


def _verb_last(clause: str, rest: str, words: list[str]) -> bool:
    """The subject's phrase runs to the end of the question and the question was asked
    with "do"/"can"/... (its verb comes last: "Why do networks overfit?") or with
    "why/how is" (its predicate does: "Why is thrashing bad?")."""
    lead = [t.lower() for t in _TOKEN.findall(clause[: max(len(clause) - len(rest), 0)])]
    tail = _TOKEN.findall(rest)
    if not tail or tail[-len(words) :] != words:
        return False
    # The phrase must be the auxiliary's own subject, not the object of a verb after
    # it ("How can you prevent a race condition?").
    if not lead or (lead[-1] not in DO_AUXILIARIES and lead[-1] not in BE_AUXILIARIES):
        return False
    return lead[-1] in DO_AUXILIARIES or lead[0] in ("why", "how")


def _comparison(clause: str) -> str | None:
    for pattern in (_COMPARE, _COMPARE_VERB, _CHOICE):
        m = pattern.search(clause)
        if m:
            firsts = [p for p in re.split(r",\s*", m.group(1)) if p.strip()]
            names = [_noun_phrase(_strip_lead(p)) for p in firsts]
            names.append(_noun_phrase(m.group(2)))
            if all(names):
                return " vs ".join(_case(n) for n in names)
    m = _VERSUS.match(_strip_lead(clause)) or _DIFFER.match(_strip_lead(clause))
    if m:
        a, b = _noun_phrase(m.group(1)), _noun_phrase(m.group(2))
        if a and b:
            return f"{_case(a)} vs {_case(b)}"
    return None


# ---- "do"-supported questions ------------------------------------------------------------
#
# Where a question's subject ends when "do"/"does" supports its verb. In "When does a
# process leave zombies?" the words after the auxiliary are subject, bare verb, object;
# a verb under "do" takes no -s, so a plural after the subject is the object and the word
# before it is the verb ("process"), whether or not the question ends there; so is the
# word before a participle ("How does a B-tree stay balanced?") or before a preposition
# that ends the question ("What does HEAD point to?", "What does a pool consist of?"). An
# object may open with a particle or an -ing modifier, which belong to the verb's side
# ("How does an index speed up queries?", "How does Adam adapt learning rates?"). "Do"
# asks about a plural subject, which ends with its first plural word ("How do threads
# share memory?" -> "threads"). No list of verbs or nouns: only the inflection the
# auxiliary demands, and the function words (prepositions, particles, "of").

_VERB_PARTICLES = PREPOSITIONS | PARTICLES | OF_WORDS
_SINGULAR_IN_S = ("ss", "us", "is", "as", "ics", "ous", "'s", "’s")


def _participle(word: str) -> bool:
    """ "balanced", "sorted": no bare verb ("How does a B-tree stay balanced?")."""
    low = word.lower()
    return word.islower() and len(low) > 4 and low.endswith("ed") and not low.endswith("eed")


def _gerund(word: str) -> bool:
    """ "learning", "running": an -ing form, which may modify the object's noun."""
    return len(word) > 5 and word.lower().endswith("ing")


def _plural(word: str) -> bool:
    low = word.lower()
    if len(word) > 2 and word.endswith("s") and sum(c.isupper() for c in word[:-1]) >= 2:
        return True  # "CNNs", "RNNs"
    return (
        word[:1].islower() and len(low) > 3 and low.endswith("s")
        and not low.endswith(_SINGULAR_IN_S)
    )  # fmt: skip


def _do_supported(clause: str, rest: str, words: list[str]) -> list[str]:
    """``words``, the phrase read after the asking part ``clause[:-len(rest)]``, cut
    where a "do"-supported question's verb starts."""
    if len(words) < 2:
        return words
    lead = [t.lower() for t in _TOKEN.findall(clause[: max(len(clause) - len(rest), 0)])]
    aux = lead[-1] if lead else ""
    if aux not in ("do", "does"):
        return words
    tokens = _TOKEN.findall(rest)
    try:
        start = tokens.index(words[0])
    except ValueError:
        return words
    seq = tokens[start:]
    if seq[: len(words)] != words:
        return words
    if len(seq) == len(words) + 1 and seq[-1].lower() in _VERB_PARTICLES and words[-1].islower():
        return words[:-1]  # "What does HEAD point to?": a stranded preposition ends the verb
    if aux == "does":
        # A singular subject: the first plural (or participle) after its first word
        # follows the bare verb.
        for j in range(2, min(len(seq) - 1, len(words)) + 1):
            if (_plural(seq[j]) or _participle(seq[j])) and seq[j - 1].islower():
                # The object may open with a particle or an -ing modifier ("speed up
                # queries", "adapt learning rates"): the verb stands before those.
                k = j
                while (
                    k - 1 > 1
                    and seq[k - 1].islower()
                    and (seq[k - 1].lower() in _VERB_PARTICLES or _gerund(seq[k - 1]))
                ):
                    k -= 1
                return words[: k - 1]
        return words
    # "do": the subject ends with its first run of plurals ("news feeds"), unless the
    # phrase itself ends in a plural: then that is the head and the plurals before it
    # modify it ("systems design interviews").
    if _plural(words[-1]):
        return words
    first = next((i for i, w in enumerate(words) if _plural(w)), None)
    if first is None:
        return words
    end = first
    while end + 1 < len(words) and _plural(words[end + 1]):
        end += 1
    return words[: end + 1]
