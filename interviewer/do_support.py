"""Where a question's subject ends when "do"/"does" supports its verb. In "When does a
process leave zombies?" the words after the auxiliary are subject, bare verb, object;
a verb under "do" takes no -s, so a plural after the subject is the object and the word
before it is the verb ("process"), whether or not the question ends there; so is the
word before a participle ("How does a B-tree stay balanced?") or before a preposition
that ends the question ("What does HEAD point to?", "What does a pool consist of?"). An
object may open with a particle or an -ing modifier, which belong to the verb's side
("How does an index speed up queries?", "How does Adam adapt learning rates?"). "Do"
asks about a plural subject, which ends with its first plural word ("How do threads
share memory?" -> "threads"). No list of verbs or nouns: only the inflection the
auxiliary demands, and the function words (prepositions, particles, "of") that
interviewer.subjects reads too."""

from __future__ import annotations

import re

from interviewer import lexicon

# The same tokens as interviewer.subjects reads.
_TOKEN = re.compile(r"[A-Za-zÀ-ÿ0-9][\w'’./+#-]*|/")
_PREPOSITIONS = (
    lexicon.words("subject_prepositions")
    | lexicon.words("subject_particles")
    | lexicon.words("subject_of_words")
)
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


def subject_words(clause: str, rest: str, words: list[str]) -> list[str]:
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
    if len(seq) == len(words) + 1 and seq[-1].lower() in _PREPOSITIONS and words[-1].islower():
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
                    and (seq[k - 1].lower() in _PREPOSITIONS or _gerund(seq[k - 1]))
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
