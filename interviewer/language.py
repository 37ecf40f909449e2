"""Which language is a text in? A stop-word frequency detector over the NLTK
stop-word lists that llama-index-core ships as package data (about 30 languages),
so no subject vocabulary lives in code and nothing is downloaded.

The answer only steers retrieval and grading: English text is served by the
English model and BM25; anything else also goes through the multilingual model."""

from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from pathlib import Path

ENGLISH = "en"
UNKNOWN = "und"
# NLTK file names -> ISO 639-1 codes for the languages we report by code.
_CODES = {
    "english": "en", "spanish": "es", "portuguese": "pt", "french": "fr", "german": "de",
    "italian": "it", "catalan": "ca", "dutch": "nl", "romanian": "ro", "swedish": "sv",
    "danish": "da", "norwegian": "no", "finnish": "fi", "turkish": "tr", "indonesian": "id",
    "russian": "ru", "greek": "el", "hungarian": "hu",
}  # fmt: skip
# Whole words of letters only: "L1" or "3x3" give no word.
_WORD = re.compile(r"\b[^\W\d_]+(?:'[^\W\d_]+)?\b", re.UNICODE)
# Letters that English prose does not use; a cue when a text has no stop words at
# all ("replicación maestro-esclavo").
_NON_ENGLISH_LETTERS = re.compile(r"[¿¡ñçãõàèìòùáéíóúâêîôûäëïöüßœæøå]", re.IGNORECASE)
# Addresses and markup say nothing about the language ("com", "www", "src").
_NOT_PROSE = re.compile(r"\]\([^)]*\)|https?://\S+|www\.\S+|<[^>]+>|`[^`]*`")
_NON_LATIN = re.compile(r"[^\x00-\u024f\u2000-\u206f\u20a0-\u20cf\u2100-\u214f]")


def _stopwords_dir() -> Path | None:
    spec = importlib.util.find_spec("llama_index")
    if spec is None or not spec.submodule_search_locations:
        return None
    for base in spec.submodule_search_locations:
        path = Path(base) / "core" / "_static" / "nltk_cache" / "corpora" / "stopwords"
        if path.is_dir():
            return path
    return None


@lru_cache(maxsize=1)
def stopword_lists() -> dict[str, frozenset[str]]:
    """Language code -> stop words. Empty when the data files are not installed."""
    folder = _stopwords_dir()
    lists: dict[str, frozenset[str]] = {}
    if folder is None:
        return lists
    for path in sorted(folder.iterdir()):
        # "hinglish" mixes English words into its list: it would tie with English.
        if not path.is_file() or path.name in ("README", "hinglish"):
            continue
        try:
            words = path.read_text(encoding="utf-8").split()
        except (OSError, UnicodeDecodeError):
            continue
        lists[_CODES.get(path.name, path.name)] = frozenset(w.lower() for w in words)
    return lists


@lru_cache(maxsize=1)
def _languages_of_word() -> dict[str, tuple[str, ...]]:
    """Stop word -> the languages that list it (one lookup per word of a text)."""
    out: dict[str, list[str]] = {}
    for lang, stops in stopword_lists().items():
        for w in stops:
            out.setdefault(w, []).append(lang)
    return {w: tuple(langs) for w, langs in out.items()}


def language_scores(text: str) -> dict[str, int]:
    """How many of the text's words are stop words of each language."""
    index = _languages_of_word()
    scores: dict[str, int] = {}
    for w in _WORD.findall(text):
        for lang in index.get(w.lower(), ()):
            scores[lang] = scores.get(lang, 0) + 1
    return scores


def detect_language(text: str) -> str:
    """ISO code of the most likely language (``en`` when in doubt), or ``und`` for
    text in another script or with no stop words but letters English does not use.
    Short texts are ambiguous (many languages share "no", "me", "a"), so another
    language wins only with clearly more stop words than English and either two of
    them making an eighth of the words or a letter that English does not use.
    Links and markup are ignored."""
    text = _NOT_PROSE.sub(" ", text)
    if not _WORD.search(text):
        return UNKNOWN
    if len(_NON_LATIN.findall(text)) > len(text) / 4:
        return UNKNOWN  # another script: certainly not English
    foreign_letters = bool(_NON_ENGLISH_LETTERS.search(text))
    scores = language_scores(text)
    english = scores.pop(ENGLISH, 0)
    # Ties (Spanish and Catalan share many stop words) go to the language listed
    # first in _CODES, then to any other.
    rank = {code: n for n, code in enumerate(_CODES.values())}
    best, best_hits = max(
        scores.items(), key=lambda kv: (kv[1], -rank.get(kv[0], len(rank))), default=(UNKNOWN, 0)
    )
    n_words = len(_WORD.findall(text))
    # Two stop words in a long text (a table, a list of names) decide nothing.
    clear = foreign_letters or (best_hits >= 2 and best_hits * 8 >= n_words)
    if best_hits > english * 1.5 and clear:
        return best
    if foreign_letters and best_hits >= english:
        return best if best_hits else UNKNOWN
    return ENGLISH


def is_english(text: str) -> bool:
    """English, or nothing to tell by (codes, numbers): the English path serves those."""
    return not _WORD.search(text) or detect_language(text) == ENGLISH


def is_foreign(text: str) -> bool:
    """Prose in another language: three words at least, of which two distinct ones
    and two fifths (three tenths, when three or more) are stop words of that language
    that English lacks, or words with letters English does not use."""
    toks = [w.lower() for w in _WORD.findall(_NOT_PROSE.sub(" ", text))]
    if len(toks) < 3:
        return False
    lang = detect_language(text)
    if lang in (ENGLISH, UNKNOWN):
        return False
    stops = stopword_lists().get(lang, frozenset())
    english = stopword_lists().get(ENGLISH, frozenset())
    hits = [w for w in toks if (w in stops and w not in english) or _NON_ENGLISH_LETTERS.search(w)]
    # (Two short words shared with another language, "et al.", are no sentence of it.)
    share = len(hits) / len(toks)
    return len(set(hits)) >= 2 and (share >= 0.4 or (len(hits) >= 3 and share >= 0.3))


def trim_foreign_tail(text: str) -> str:
    """An English sentence without a trailing clause in another language ('... donde
    a es el learning rate'): cut where a window of five words holds, from its first
    word on, at least three stop words of one other language that English lacks, and
    the rest of the sentence reads as that language."""
    lists = stopword_lists()
    english = lists.get(ENGLISH, frozenset())
    toks = list(re.finditer(r"\S+", text))
    for i, m in enumerate(toks):
        window = [t.group(0).lower().strip(".,;:") for t in toks[i : i + 5]]
        if len(window) < 3 or window[0] in english:
            continue
        for lang, stops in lists.items():
            if lang == ENGLISH or window[0] not in stops:
                continue
            if sum(w in stops and w not in english for w in window) >= 3 and (
                detect_language(text[m.start() :]) == lang
            ):
                return text[: m.start()].rstrip(" ,;:") + ("." if i else "")
    return text
