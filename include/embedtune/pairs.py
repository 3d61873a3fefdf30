"""Stage 4, pairs: synthetic (question, passage) pairs from the themed chunks, offline.

Generators share one interface (`PairGenerator`); `GENERATORS` names them:

- ``template``: the original design's method, kept for comparison:
  "What does this text say about {theme}?" for each theme of the chunk.
- ``keyphrase``: questions specific to each chunk, built from its defined terms, heading,
  key phrases (TF-IDF over the corpus) and the kind of each sentence (definition,
  recommendation, risk, example), phrased as a user would ask.
- ``sentence``: a sentence of the chunk as the query, the rest of the chunk as the positive.
- ``summary``: a page-level query from the chunk's heading and top key phrases.
- ``mixed`` (default): sentence + summary queries for each chunk.

Pairs are split into train/eval **by chunk** with a fixed seed, so no held-out chunk is ever a
training positive. The evaluation questions come from `pairs.eval_generators`, by default other
generators than the training one, because a model tuned on one question style scores well on
that style and may still fail real users.
"""

from __future__ import annotations

import logging
import math
import random
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from embedtune.artifacts import (
    OutputCache,
    StageTimer,
    read_jsonl,
    read_manifest,
    sha256_file,
    sha256_text,
    stage_summary,
    write_jsonl,
    write_manifest,
)
from embedtune.config import EmbedtuneConfig
from embedtune.errors import ConfigError, DataError

log = logging.getLogger(__name__)

STAGE = "pairs"
TRAIN_FILE = "train.jsonl"
EVAL_FILE = "eval.jsonl"

STOPWORDS = frozenset("""
a about above across after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each either etc few for
from further had has have having he her here hers him his how i if in into is it its itself just
may me might more most must my no nor not of off on once only or other our ours out over own per
same shall she should so some such than that the their theirs them then there these they this
those through to too under until up upon us very via was we were what when where which while who
whom why will with within without would you your e.g i.e including include includes based
related use used using well one two three new may within across among toward towards like
""".split())
#: Verbs that start or end word runs but never make a topic on their own.
VERBS = frozenset("""
contain contains apply applies correspond corresponds identify identifies determine provide
provides help helps make makes allow allows enable enables require requires establish ensure
consider implement document review assess develop maintain evaluate monitor verify support
supports address addresses describe describes follow following suggested encouraged vary varies
begin begins listed organized shaded target targets increase increases reduce reduces exist
exists arise arises become becomes seek seeks take takes need needs given
""".split())

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’\-]*[A-Za-z0-9]|[A-Za-z]")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")
_ACTION_ID = re.compile(r"\b[A-Z]{2}-\d+(\.\d+)*-\d+\b")
_DEFINITION = re.compile(
    r"^(?:The term\s+)?[\"“]?(?P<term>[A-Z][\w\- ]{2,60}?)[\"”]?\s*(?:\([A-Z]{2,8}\)\s*)?"
    r"(?:refers to|means|is defined as|is the|are the|describes)\s+(?P<rest>.+)$"
)
_ABBREVIATION = re.compile(
    r"(?P<term>(?:[A-Z][a-z]+[ -]){1,5}[A-Z][a-z]+)\s+\((?P<abbr>[A-Z]{2,8})\)"
)
_RECOMMENDATION = re.compile(r"\b(should|must|shall|recommend|establish|ensure|consider|"
                             r"implement|document|review|assess|develop|maintain)\b", re.I)
_RISK = re.compile(r"\b(risk|risks|harm|harms|threat|vulnerab\w*|misuse|attack\w*|fail\w*|"
                   r"exposure|leak\w*|bias\w*|discriminat\w*|danger\w*)\b", re.I)
_EXAMPLE = re.compile(r"\b(for example|e\.g\.|such as|for instance)\b", re.I)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def content_words(text: str) -> list[str]:
    return [w.lower() for w in words(text) if w.lower() not in STOPWORDS and len(w) > 2]


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if len(s.split()) >= 5]


# --- corpus statistics (for key phrases) ------------------------------------------------------


@dataclass
class CorpusStats:
    """Document frequencies of words over all chunks: what makes a phrase specific to a chunk."""

    documents: int = 0
    df: Counter[str] = field(default_factory=Counter)

    @classmethod
    def build(cls, texts: Iterable[str]) -> CorpusStats:
        stats = cls()
        for text in texts:
            stats.documents += 1
            stats.df.update(set(content_words(text)))
        return stats

    def idf(self, word: str) -> float:
        return math.log((1 + self.documents) / (1 + self.df.get(word.lower(), 0))) + 1.0


def candidate_phrases(text: str) -> list[str]:
    """Runs of 1-4 content words (no stopword, number or action id inside)."""
    phrases = []
    for clause in re.split(r"[.,;:()\[\]!?\"“”•–—]|\s-\s", _ACTION_ID.sub(" ", text)):
        run: list[str] = []
        for token in clause.split():
            word = token.strip("'’")
            bare = word.lower()
            if (_WORD.fullmatch(word) and bare not in STOPWORDS and bare not in VERBS
                    and len(bare) > 2):
                run.append(word)
                continue
            phrases.extend(_subphrases(run))
            run = []
        phrases.extend(_subphrases(run))
    return phrases


def _subphrases(run: list[str]) -> list[str]:
    found = []
    for size in (3, 2, 1):
        for start in range(0, max(0, len(run) - size + 1)):
            found.append(" ".join(run[start:start + size]))
    return found


def key_phrases(text: str, stats: CorpusStats, top: int = 6) -> list[str]:
    """The chunk's most specific phrases by TF-IDF, longer phrases preferred, no overlaps."""
    counts = Counter(candidate_phrases(text))
    common = math.log(1 / 0.08) + 1.0  # idf of a word found in 8% of chunks
    scored = []
    for phrase, tf in counts.items():
        parts = phrase.lower().split()
        if parts[-1].endswith("ed") or (len(parts) == 1 and stats.idf(parts[0]) < common):
            continue  # "suggested", "GAI": participles and corpus-wide words say nothing
        specificity = sum(stats.idf(p) for p in parts) / len(parts)
        score = specificity * len(parts) ** 0.7 * (1 + 0.5 * math.log(tf))
        scored.append((score, phrase))
    chosen: list[str] = []
    for _, phrase in sorted(scored, reverse=True):
        lowered = phrase.lower()
        if any(lowered in c.lower() or c.lower() in lowered for c in chosen):
            continue
        chosen.append(phrase)
        if len(chosen) == top:
            break
    return [_tidy_case(p) for p in chosen]


def _tidy_case(phrase: str) -> str:
    # Keep acronyms (GAI, PII) and proper names; lower-case ordinary capitalised words.
    return " ".join(w if (w.isupper() or sum(c.isupper() for c in w) > 1) else w.lower()
                    for w in phrase.split())


# --- generators -------------------------------------------------------------------------------


@dataclass
class Question:
    text: str
    kind: str
    #: The positive passage when it is not the whole chunk (the sentence generator).
    positive: str | None = None


class PairGenerator:
    """Turns one chunk into questions; `stats` holds corpus-wide word statistics."""

    name = "base"

    def __init__(self, stats: CorpusStats):
        self.stats = stats

    def questions(self, chunk: dict, rng: random.Random, limit: int) -> list[Question]:
        raise NotImplementedError


class TemplateGenerator(PairGenerator):
    name = "template"

    def questions(self, chunk: dict, rng: random.Random, limit: int) -> list[Question]:
        return [Question(f"What does this text say about {theme.replace('_', ' ')}?", "theme")
                for theme in chunk.get("themes", [])]


class KeyphraseGenerator(PairGenerator):
    name = "keyphrase"

    RECOMMEND = ["What should organizations do about {kp}?", "How should we handle {kp}?",
                 "What steps are recommended for {kp}?", "What is the guidance on {kp}?"]
    RISK = ["What can go wrong with {kp}?", "What are the dangers of {kp}?",
            "Why is {kp} a concern?", "What risks come from {kp}?"]
    EXAMPLE = ["Can you give an example of {kp}?", "What are some examples of {kp}?"]
    DEFINE = ["What is {term}?", "What does {term} mean?", "How is {term} defined?"]
    GENERAL = ["How does {kp} relate to {kp2}?", "What is said about {kp} and {kp2}?",
               "Where is {kp} discussed in connection with {kp2}?"]
    HEADING = ["What is covered under {heading}?", "What are the main points of {heading}?"]

    def questions(self, chunk: dict, rng: random.Random, limit: int) -> list[Question]:
        text = chunk["text"]
        phrases = key_phrases(text, self.stats, top=8)
        found: list[Question] = []
        for sentence in sentences(text):
            match = _DEFINITION.match(sentence)
            if match and len(match.group("term").split()) <= 6:
                term = _tidy_case(match.group("term").strip())
                found.append(Question(rng.choice(self.DEFINE).format(term=term), "definition"))
        for match in _ABBREVIATION.finditer(text):
            found.append(Question(f"What does {match.group('abbr')} stand for and mean?",
                                  "definition"))
        for sentence in sentences(text):
            local = [p for p in phrases if p.lower() in sentence.lower()]
            if not local:
                continue
            kp = local[0]
            if _RECOMMENDATION.search(sentence):
                found.append(Question(rng.choice(self.RECOMMEND).format(kp=kp), "recommendation"))
            elif _RISK.search(sentence):
                found.append(Question(rng.choice(self.RISK).format(kp=kp), "risk"))
            elif _EXAMPLE.search(sentence):
                found.append(Question(rng.choice(self.EXAMPLE).format(kp=kp), "example"))
        heading = chunk.get("heading", "")
        if heading and len(heading.split()) >= 2:
            clean = re.sub(r"^[\d.]+\s*", "", heading).strip()
            if clean:
                found.append(Question(rng.choice(self.HEADING).format(heading=clean), "heading"))
        if len(phrases) >= 2:
            first, second = rng.sample(phrases[:4], 2)
            found.append(Question(rng.choice(self.GENERAL).format(kp=first, kp2=second),
                                  "keyphrase"))
        rng.shuffle(found)
        # One question per kind first, so a chunk full of recommendations still gets variety.
        by_kind: dict[str, list[Question]] = {}
        for question in found:
            by_kind.setdefault(question.kind, []).append(question)
        ordered = [q for group in zip(*by_kind.values(), strict=False) for q in group]
        ordered += [q for q in found if q not in ordered]
        return ordered[:limit]


class SentenceGenerator(PairGenerator):
    """The naive baseline: one sentence is the query, the rest of the chunk the positive."""

    name = "sentence"

    def questions(self, chunk: dict, rng: random.Random, limit: int) -> list[Question]:
        found = []
        candidates = sentences(chunk["text"])
        rng.shuffle(candidates)
        for sentence in candidates[:limit]:
            rest = chunk["text"].replace(sentence, " ").strip()
            if len(rest.split()) >= 10:
                found.append(Question(_ACTION_ID.sub("", sentence).strip(), "sentence", rest))
        return found


class SummaryGenerator(PairGenerator):
    """A short, page-level query: what the chunk is about, not what one sentence says."""

    name = "summary"

    FORMS = ["{a}, {b} and {c}", "What about {a} and {b}?", "{heading}: {a} and {b}",
             "Overview of {a}, {b} and {c}"]

    def questions(self, chunk: dict, rng: random.Random, limit: int) -> list[Question]:
        phrases = key_phrases(chunk["text"], self.stats, top=5)
        if len(phrases) < 3:
            return []
        heading = re.sub(r"^[\d.]+\s*", "", chunk.get("heading", "")).strip() or phrases[0]
        found = []
        forms = rng.sample(self.FORMS, len(self.FORMS))
        for form in forms[:limit]:
            a, b, c = rng.sample(phrases, 3)
            found.append(Question(form.format(a=a, b=b, c=c, heading=heading), "summary"))
        return found


class MixedGenerator(PairGenerator):
    """Sentence queries (fact-level) and summary queries (page-level), interleaved."""

    name = "mixed"

    def __init__(self, stats: CorpusStats):
        super().__init__(stats)
        self.parts = [SentenceGenerator(stats), SummaryGenerator(stats)]

    #: Share of a chunk's questions that are sentence (fact-level) queries. On the reference
    #: corpus 0.75 did worse than 0.5 on natural questions (docs/benchmarks.md).
    SENTENCE_SHARE = 0.5

    def questions(self, chunk: dict, rng: random.Random, limit: int) -> list[Question]:
        sentence_part, summary_part = self.parts
        facts = sentence_part.questions(chunk, rng, max(1, math.ceil(limit * self.SENTENCE_SHARE)))
        overviews = summary_part.questions(chunk, rng, limit)
        # Fill up with whichever kind the chunk still has when the other runs short.
        chosen = facts + overviews[: limit - len(facts)]
        chosen += [q for q in facts + overviews if q not in chosen][: limit - len(chosen)]
        return chosen


GENERATORS: dict[str, Callable[[CorpusStats], PairGenerator]] = {
    "template": TemplateGenerator,
    "keyphrase": KeyphraseGenerator,
    "sentence": SentenceGenerator,
    "summary": SummaryGenerator,
    "mixed": MixedGenerator,
}
#: The parts a composite generator is made of: its questions are not "cross-generator".
COMPONENTS = {"mixed": {"mixed", "sentence", "summary"}}


def make_generator(name: str, stats: CorpusStats) -> PairGenerator:
    if name not in GENERATORS:
        raise ConfigError(f"unknown generator {name!r}; choose one of {', '.join(GENERATORS)}")
    return GENERATORS[name](stats)


def cross_generators(train_generator: str, eval_generators: list[str]) -> list[str]:
    own = COMPONENTS.get(train_generator, {train_generator})
    return [name for name in eval_generators if name not in own]


def split_chunks(chunk_ids: list[str], eval_fraction: float, seed: int) -> set[str]:
    """The held-out chunk ids: a seeded shuffle, at least one chunk each side when possible."""
    ids = sorted(chunk_ids)
    random.Random(seed).shuffle(ids)
    held_out = round(len(ids) * eval_fraction)
    held_out = min(max(held_out, 1 if len(ids) > 1 else 0), len(ids) - 1)
    return set(ids[:held_out])


def _normalise_question(text: str) -> str:
    return " ".join(text.lower().split())


def build_rows(chunks: list[dict], generator: PairGenerator, seed: int, limit: int,
               seen: set[str]) -> list[dict]:
    rows = []
    for chunk in chunks:
        rng = random.Random(f"{seed}:{generator.name}:{chunk['chunk_id']}")
        for question in generator.questions(chunk, rng, limit):
            key = _normalise_question(question.text)
            if not key or (key, chunk["chunk_id"]) in seen:
                continue
            seen.add((key, chunk["chunk_id"]))
            rows.append({
                "anchor": question.text,
                "positive": question.positive or chunk["text"],
                "chunk_id": chunk["chunk_id"],
                "generator": generator.name,
                "question_type": question.kind,
                "themes": chunk.get("themes", []),
                "file": chunk["file"],
                "page_start": chunk["page_start"],
            })
    return rows


def synthesize_pairs(themes_dir: str | Path, out_dir: str | Path, config: EmbedtuneConfig,
                     cache_dir: str | Path | None = None) -> dict:
    """Write train.jsonl (training generator, train chunks) and eval.jsonl (held-out chunks).
    With a cache folder, the same themed chunks and pairs settings reuse the output."""
    themes_dir, out_dir = Path(themes_dir), Path(out_dir)
    theme_manifest = read_manifest(themes_dir)
    files = [TRAIN_FILE, EVAL_FILE]
    cache = OutputCache(cache_dir, sha256_text(sha256_file(theme_manifest["chunks_path"]),
                                               config.section_hash("pairs")))
    with StageTimer() as timer:
        stats = cache.restore(out_dir, files)
        from_cache = stats is not None
        if stats is None:
            stats = _write_pairs(theme_manifest["chunks_path"], out_dir, config)
            cache.store(out_dir, files, stats)
    manifest = {
        "stage": STAGE,
        "train_path": str(out_dir / TRAIN_FILE),
        "eval_path": str(out_dir / EVAL_FILE),
        "corpus_path": theme_manifest["chunks_path"],
        **stats,
        "from_cache": from_cache,
        "seconds": timer.seconds,
    }
    write_manifest(out_dir, manifest)
    log.info("%d training pairs (%s) from %d chunks; %d held-out questions from %d chunks",
             stats["train_pairs"], stats["generator"], stats["train_chunks"],
             stats["eval_questions"], stats["eval_chunks"])
    return stage_summary(out_dir, manifest)


def _write_pairs(chunks_path: str | Path, out_dir: Path, config: EmbedtuneConfig) -> dict:
    settings = config.pairs
    chunks = list(read_jsonl(chunks_path))
    if len(chunks) < 2:
        raise DataError(f"need at least 2 chunks to split train/eval, got {len(chunks)}")
    stats = CorpusStats.build(chunk["text"] for chunk in chunks)
    held_out = split_chunks([c["chunk_id"] for c in chunks], settings.eval_fraction,
                            settings.seed)
    train_chunks = [c for c in chunks if c["chunk_id"] not in held_out]
    eval_chunks = [c for c in chunks if c["chunk_id"] in held_out]
    trainer = make_generator(settings.generator, stats)
    train_rows = build_rows(train_chunks, trainer, settings.seed,
                            settings.questions_per_chunk, set())
    eval_rows: list[dict] = []
    seen: set[str] = set()
    eval_names = list(dict.fromkeys([*settings.eval_generators, settings.generator]))
    for name in eval_names:
        eval_rows += build_rows(eval_chunks, make_generator(name, stats), settings.seed + 1,
                                settings.questions_per_chunk, seen)
    # The sentence generator's positive is a chunk minus a sentence; evaluation always
    # retrieves whole chunks, so its eval rows point at the chunk itself.
    text_of = {c["chunk_id"]: c["text"] for c in chunks}
    for row in eval_rows:
        row["positive"] = text_of[row["chunk_id"]]
    if not train_rows:
        raise DataError(f"generator {settings.generator!r} produced no training pairs")
    write_jsonl(out_dir / TRAIN_FILE, train_rows)
    write_jsonl(out_dir / EVAL_FILE, eval_rows)
    return {
        "generator": settings.generator,
        "eval_generators": eval_names,
        "cross_generators": cross_generators(settings.generator, settings.eval_generators),
        "train_pairs": len(train_rows),
        "eval_questions": len(eval_rows),
        "train_chunks": len(train_chunks),
        "eval_chunks": len(eval_chunks),
        "corpus_chunks": len(chunks),
        "eval_questions_per_generator": dict(Counter(r["generator"] for r in eval_rows)),
        "train_pairs_per_type": dict(Counter(r["question_type"] for r in train_rows)),
        "seed": settings.seed,
    }
