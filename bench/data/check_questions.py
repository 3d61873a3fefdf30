"""Validate the NIST AI 600-1 evaluation questions against the source PDF.

Each line of ``nist_questions.jsonl`` is an object with ``id``, ``kind`` ("specific" or
"abstract"), ``question``, ``page`` (0-based pypdf page index) and ``gold_quote``.

For every line this checks that:

* the fields are present and well typed, the id is unique and the kind is known;
* ``gold_quote`` has 8-25 words and occurs verbatim in the page text, normalised as
  ``" ".join(unicodedata.normalize("NFKC", page.extract_text()).split())``;
* the quote still occurs once running headers/footers (printed page numbers and header
  lines repeated at the top of several pages) are removed, i.e. it does not contain them;
* the quote is not broken by a line-end hyphen (``"pre- deployment"``), does not end on a
  dangling hyphen and contains no stray single-letter fragments from split words;
* quotes of different questions on the same page do not overlap (one passage each).

It also prints, per question, the share of the question's content words (lowercase,
longer than 3 characters, not stopwords) that appear anywhere on the gold page, and the
average per kind. Specific questions are meant to be paraphrases, so their average must
stay below ``--max-specific-overlap`` (default 0.6).

Usage: ``python bench/data/check_questions.py [--pdf PATH] [--questions PATH]``.
Exits with status 1 if any check fails.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

DEFAULT_PDF = Path("/work/shared/corpus/NIST.AI.600-1.pdf")
DEFAULT_QUESTIONS = Path(__file__).resolve().parent / "nist_questions.jsonl"
KINDS = ("specific", "abstract")
MIN_QUOTE_WORDS = 8
MAX_QUOTE_WORDS = 25
ID_PATTERN = re.compile(r"^q\d{3}$")
# A hyphen followed by a space between two word characters is what a line-end
# hyphenation ("pre-\ndeployment") becomes once whitespace is collapsed.
BROKEN_HYPHEN = re.compile(r"\w- \w")
PAGE_NUMBER = re.compile(r"^(?:\d{1,3}|[ivxlc]{1,6})$", re.IGNORECASE)
WORD = re.compile(r"[a-z]+")
SINGLE_LETTERS_OK = frozenset({"a", "A", "I"})

_STOPWORDS_TEXT = """
    about above across actually after again against almost also although always among
    another anything anyone anybody around because been before being below between both
    cannot could couldn does doesn doing done down during each either else enough even
    ever every everyone everything exactly from further gets getting give given goes going
    gonna have haven having here hers herself himself however into isn itself just kind
    kinds know like likely make makes many maybe might mine more most much must myself need
    needs never next none nothing once only other others otherwise ours ourselves over
    own per perhaps please quite rather really same says shall should shouldn since some
    someone something sometimes somewhere such sure take than that thats their theirs them
    themselves then there these they thing things this those though through thus together
    under until upon very want wants were weren what whatever when where whether which
    while whom whose will with within without won would wouldn your yours yourself
    yourselves able okay tell told
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


@dataclass(frozen=True)
class Page:
    """Normalised text of one PDF page."""

    text: str
    """NFKC text with every run of whitespace collapsed to one space."""
    text_without_headers: str
    """Same, with running header/footer lines removed first."""
    words: frozenset[str]
    """Lowercase alphabetic tokens of the page."""


def collapse(text: str) -> str:
    """Collapse every run of whitespace to a single space and strip the ends."""
    return " ".join(text.split())


def content_words(text: str) -> list[str]:
    """Lowercase words longer than 3 characters that are not stopwords (deduplicated)."""
    seen: dict[str, None] = {}
    for word in WORD.findall(text.lower()):
        if len(word) > 3 and word not in STOPWORDS:
            seen[word] = None
    return list(seen)


def running_header_lines(pages_lines: list[list[str]]) -> set[str]:
    """Lines repeated in the first two lines of at least two pages (running headers)."""
    counts: Counter[str] = Counter()
    for lines in pages_lines:
        counts.update(set(lines[:2]))
    return {line for line, count in counts.items() if count >= 2}


def load_pages(pdf_path: Path) -> list[Page]:
    """Extract and normalise every page of the PDF."""
    reader = PdfReader(pdf_path)
    raw_pages = [
        unicodedata.normalize("NFKC", page.extract_text()) for page in reader.pages
    ]
    pages_lines = [
        [line.strip() for line in raw.splitlines() if line.strip()] for raw in raw_pages
    ]
    repeated = running_header_lines(pages_lines)
    pages: list[Page] = []
    for raw, lines in zip(raw_pages, pages_lines, strict=True):
        edge_indices = {0, len(lines) - 1} if lines else set()
        kept = [
            line
            for index, line in enumerate(lines)
            if not (index in edge_indices and PAGE_NUMBER.match(line))
            and not (index < 2 and line in repeated)
        ]
        pages.append(
            Page(
                text=collapse(raw),
                text_without_headers=collapse("\n".join(kept)),
                words=frozenset(WORD.findall(raw.lower())),
            )
        )
    return pages


def quote_problems(quote: str, page: Page) -> list[str]:
    """Problems with a gold quote relative to its page (empty list when it is fine)."""
    problems: list[str] = []
    if quote != collapse(quote):
        problems.append("quote has leading/trailing or repeated whitespace")
    n_words = len(quote.split())
    if not MIN_QUOTE_WORDS <= n_words <= MAX_QUOTE_WORDS:
        problems.append(
            f"quote has {n_words} words (want {MIN_QUOTE_WORDS}-{MAX_QUOTE_WORDS})"
        )
    if quote not in page.text:
        problems.append("quote not found on page")
    elif quote not in page.text_without_headers:
        problems.append("quote contains a running header/footer")
    if BROKEN_HYPHEN.search(quote) or quote.endswith("-"):
        problems.append("quote is broken by a line-end hyphen")
    fragments = [
        token for token in quote.split() if len(token) == 1 and token.isalpha()
    ]
    if any(token not in SINGLE_LETTERS_OK for token in fragments):
        problems.append(f"quote contains split-word fragments {fragments}")
    return problems


def record_problems(record: object, n_pages: int) -> list[str]:
    """Schema problems of one JSONL record (empty list when it is fine)."""
    if not isinstance(record, dict):
        return ["line is not a JSON object"]
    problems: list[str] = []
    expected = {"id", "kind", "question", "page", "gold_quote"}
    if set(record) != expected:
        problems.append(f"keys {sorted(record)} != {sorted(expected)}")
    if not isinstance(record.get("id"), str) or not ID_PATTERN.match(record["id"]):
        problems.append("id must look like q001")
    if record.get("kind") not in KINDS:
        problems.append(f"kind must be one of {KINDS}")
    for key in ("question", "gold_quote"):
        if not isinstance(record.get(key), str) or not record[key].strip():
            problems.append(f"{key} must be a non-empty string")
    page = record.get("page")
    if not isinstance(page, int) or isinstance(page, bool) or not 0 <= page < n_pages:
        problems.append(f"page must be an int in [0, {n_pages})")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Run every check, print a per-question report and a summary; return the exit status."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pdf", type=Path, default=DEFAULT_PDF)
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--max-specific-overlap", type=float, default=0.6)
    args = parser.parse_args(argv)

    pages = load_pages(args.pdf)
    failures: list[str] = []
    seen_ids: set[str] = set()
    overlaps: dict[str, list[float]] = defaultdict(list)
    spans: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    kinds: Counter[str] = Counter()
    pages_used: set[int] = set()

    lines = args.questions.read_text(encoding="utf-8").splitlines()
    print(f"{'id':<6} {'kind':<9} {'page':>4} {'overlap':>7}  status")
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            failures.append(f"line {line_no}: invalid JSON ({error})")
            continue
        problems = record_problems(record, len(pages))
        if problems:
            failures.extend(f"line {line_no}: {problem}" for problem in problems)
            continue
        qid: str = record["id"]
        kind: str = record["kind"]
        page_index: int = record["page"]
        quote: str = record["gold_quote"]
        if qid in seen_ids:
            problems.append("duplicate id")
        seen_ids.add(qid)
        page = pages[page_index]
        problems.extend(quote_problems(quote, page))
        start = page.text.find(quote)
        if start >= 0:
            spans[page_index].append((start, start + len(quote), qid))

        words = content_words(record["question"])
        share = sum(word in page.words for word in words) / len(words) if words else 0.0
        overlaps[kind].append(share)
        kinds[kind] += 1
        pages_used.add(page_index)
        status = "ok" if not problems else "FAIL: " + "; ".join(problems)
        print(f"{qid:<6} {kind:<9} {page_index:>4} {share:>7.2f}  {status}")
        failures.extend(f"{qid}: {problem}" for problem in problems)

    for page_index, page_spans in spans.items():
        ordered = sorted(page_spans)
        for (_, end, left), (start, _, right) in itertools.pairwise(ordered):
            if start < end:
                failures.append(
                    f"{left} and {right}: gold quotes overlap on page {page_index}"
                )

    print()
    print(
        f"questions: {sum(kinds.values())} ({', '.join(f'{k}={kinds[k]}' for k in KINDS)})"
    )
    print(
        f"distinct gold pages: {len(pages_used)} "
        f"(range {min(pages_used, default=0)}-{max(pages_used, default=0)})"
    )
    for kind in KINDS:
        values = overlaps[kind]
        if values:
            mean = sum(values) / len(values)
            print(
                f"mean content-word overlap with gold page [{kind}]: {mean:.3f} (n={len(values)})"
            )
    specific = overlaps["specific"]
    if specific and sum(specific) / len(specific) >= args.max_specific_overlap:
        failures.append(
            "specific questions copy the page too closely "
            f"(mean overlap >= {args.max_specific_overlap})"
        )

    if failures:
        print(f"\nFAILED ({len(failures)} problems):")
        for failure in failures:
            print(f"  {failure}")
        return 1
    print("\nall checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
