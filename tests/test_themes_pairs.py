from __future__ import annotations

import random
from pathlib import Path

import pytest

from embedtune.artifacts import read_jsonl, write_jsonl, write_manifest
from embedtune.config import EmbedtuneConfig
from embedtune.errors import ConfigError
from embedtune.pairs import (
    GENERATORS,
    CorpusStats,
    cross_generators,
    key_phrases,
    make_generator,
    synthesize_pairs,
)
from embedtune.themes import compile_lexicon, load_lexicon, match_themes, theme_chunks

LEXICON = {
    "privacy": ["privacy", "personal data", "data protection"],
    "bias": ["bias", "discrimination"],
    "security": ["prompt injection", "security"],
}

TEXTS = [
    "Personal  data must be minimised. Privacy notices should explain retention periods.",
    "Hiring models can encode bias; discrimination audits must run before deployment.",
    "Prompt injection attacks can exfiltrate secrets. Security reviews should test every plugin.",
    "Model cards describe intended use, for example the languages covered by the training data.",
    "Incident response teams should record every failure and notify affected users quickly.",
    "Procurement contracts must require vendors to disclose training data provenance clearly.",
    "Red teaming exercises reveal harmful outputs; results should be documented and reviewed.",
    "Energy use of large models is a risk; teams should measure the carbon cost of training.",
    "Accountability means a named owner answers for each model and its decisions in production.",
    "Watermarking helps content provenance, such as tracing synthetic images to their source.",
]


FILLER = " The policy applies to every team that builds or buys such systems in the company."


def _chunks() -> list[dict]:
    return [{"chunk_id": f"c{i}", "file": "doc.pdf", "sha256": "s", "page_start": i + 1,
             "page_end": i + 1, "heading": f"{i + 1}. Section on topic {i}", "text": text + FILLER,
             "tokens": 40} for i, text in enumerate(TEXTS)]


def test_theme_matching_is_word_bounded_case_insensitive_and_multi_label() -> None:
    patterns = compile_lexicon(LEXICON)
    hits = match_themes("PERSONAL\nDATA and Bias; unbiased is not bias-free? privacy.", patterns)
    assert hits == {"privacy": ["personal data", "privacy"], "bias": ["bias"]}
    assert match_themes("unbiased securityguard", patterns) == {}


def test_lexicon_file_errors_are_clear(tmp_path) -> None:
    bad = tmp_path / "themes.yaml"
    bad.write_text("- just\n- a list\n")
    with pytest.raises(ConfigError, match="mapping of theme"):
        load_lexicon(bad)


def _themed_run(tmp_path, **overrides) -> tuple[dict, EmbedtuneConfig]:
    chunk_dir = tmp_path / "chunks"
    write_jsonl(chunk_dir / "chunks.jsonl", _chunks())
    write_manifest(chunk_dir, {"stage": "chunk", "chunks_path": str(chunk_dir / "chunks.jsonl")})
    lexicon = tmp_path / "themes.yaml"
    import yaml

    lexicon.write_text(yaml.safe_dump(LEXICON))
    config = EmbedtuneConfig().with_overrides({"lexicon": str(lexicon), **overrides})
    return theme_chunks(chunk_dir, tmp_path / "themes", config), config


def test_theme_stage_counts_per_theme_and_unthemed(tmp_path) -> None:
    result, _ = _themed_run(tmp_path)
    rows = list(read_jsonl(result["chunks_path"]))
    assert rows[0]["themes"] == ["privacy"]
    assert rows[2]["themes"] == ["security"]
    assert result["chunks_without_theme"] == sum(1 for r in rows if not r["themes"])
    assert result["chunks_without_theme"] == 7


def test_key_phrases_prefer_specific_multiword_phrases() -> None:
    stats = CorpusStats.build(TEXTS)
    phrases = key_phrases(TEXTS[2], stats)
    assert "Prompt injection attacks" in phrases or "prompt injection attacks" in phrases
    assert "can" not in [p.lower() for p in phrases]


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_every_generator_writes_questions_about_the_chunk(name: str) -> None:
    stats = CorpusStats.build(TEXTS)
    generator = make_generator(name, stats)
    chunk = {**_chunks()[1], "themes": ["bias"]}
    questions = generator.questions(chunk, random.Random(0), 4)
    assert questions, name
    assert len({q.text.lower() for q in questions}) == len(questions)


def test_template_generator_is_the_original_design() -> None:
    generator = make_generator("template", CorpusStats.build(TEXTS))
    chunk = {**_chunks()[0], "themes": ["privacy", "bias"]}
    assert [q.text for q in generator.questions(chunk, random.Random(0), 4)] == [
        "What does this text say about privacy?",
        "What does this text say about bias?",
    ]


def test_cross_generators_exclude_the_training_generator_and_its_parts() -> None:
    assert cross_generators("template", ["keyphrase", "template"]) == ["keyphrase"]
    assert cross_generators("mixed", ["keyphrase", "sentence", "summary"]) == ["keyphrase"]


def test_pairs_split_by_chunk_without_leakage_and_load_with_datasets(tmp_path) -> None:
    _themed, config = _themed_run(tmp_path, generator="keyphrase",
                                 eval_generators="template,sentence")
    result = synthesize_pairs(tmp_path / "themes", tmp_path / "pairs", config)
    train = list(read_jsonl(result["train_path"]))
    held_out = list(read_jsonl(result["eval_path"]))
    train_chunks = {row["chunk_id"] for row in train}
    eval_chunks = {row["chunk_id"] for row in held_out}
    assert train and held_out
    assert not train_chunks & eval_chunks
    assert {row["generator"] for row in train} == {"keyphrase"}
    assert "sentence" in {row["generator"] for row in held_out}
    # De-duplicated per chunk.
    keys = [(row["anchor"].lower(), row["chunk_id"]) for row in train]
    assert len(keys) == len(set(keys))
    # Same seed, same split and pairs.
    again = synthesize_pairs(tmp_path / "themes", tmp_path / "pairs2", config)
    assert list(read_jsonl(again["train_path"])) == train

    from datasets import load_dataset

    dataset = load_dataset("json", data_files=result["train_path"], split="train")
    assert {"anchor", "positive"} <= set(dataset.column_names)
    assert len(dataset) == len(train)


def test_unknown_generator_is_a_config_error(tmp_path) -> None:
    _, config = _themed_run(tmp_path)
    config.pairs.generator = "llm-magic"
    with pytest.raises(ConfigError, match="unknown generator"):
        synthesize_pairs(tmp_path / "themes", tmp_path / "pairs", config)


def test_theme_and_pairs_outputs_are_reused_for_the_same_inputs(tmp_path) -> None:
    _, config = _themed_run(tmp_path, generator="keyphrase")
    cache = tmp_path / "cache"
    first_themes = theme_chunks(tmp_path / "chunks", tmp_path / "t1", config, cache_dir=cache)
    second_themes = theme_chunks(tmp_path / "chunks", tmp_path / "t2", config, cache_dir=cache)
    assert first_themes["files_from_cache"] == 0 and second_themes["files_from_cache"] == 1
    assert Path(second_themes["chunks_path"]).read_text() == Path(
        first_themes["chunks_path"]).read_text()
    first = synthesize_pairs(tmp_path / "t1", tmp_path / "p1", config, cache_dir=cache)
    second = synthesize_pairs(tmp_path / "t2", tmp_path / "p2", config, cache_dir=cache)
    assert not first["from_cache"] and second["from_cache"]
    assert second["train_pairs"] == first["train_pairs"]
    assert Path(second["train_path"]).read_text() == Path(first["train_path"]).read_text()
    assert Path(second["train_path"]).parent == tmp_path / "p2"
    changed = config.with_overrides({"questions_per_chunk": 2})
    third = synthesize_pairs(tmp_path / "t2", tmp_path / "p3", changed, cache_dir=cache)
    assert not third["from_cache"]  # a changed pairs setting invalidates only the pairs
