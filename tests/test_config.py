from __future__ import annotations

import pytest

from embedtune.config import EmbedtuneConfig
from embedtune.errors import ConfigError


def test_defaults_follow_the_design() -> None:
    config = EmbedtuneConfig()
    assert config.train.base_model == "sentence-transformers/all-MiniLM-L6-v2"
    assert config.train.epochs == 3
    assert config.train.warmup_steps == 100
    config.validate()


def test_overrides_coerce_strings_from_cli_and_forms() -> None:
    config = EmbedtuneConfig().with_overrides(
        {"epochs": "2", "learning_rate": "5e-5", "publish": "false", "eval_generators": "a,b"}
    )
    assert config.train.epochs == 2
    assert config.train.learning_rate == pytest.approx(5e-5)
    assert config.publish.publish is False
    assert config.pairs.eval_generators == ["a", "b"]


def test_round_trip_through_dict() -> None:
    config = EmbedtuneConfig().with_overrides({"batch_size": 8, "generator": "template"})
    again = EmbedtuneConfig.from_dict(config.to_dict())
    assert again == config


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"epochs": 0}, "train.epochs"),
        ({"batch_size": 1}, "batch_size"),
        ({"epochs": "three"}, "expected int"),
        ({"nonsense": 1}, "unknown option"),
        ({"publish": True}, "repo_id"),
    ],
)
def test_bad_values_are_rejected_with_a_clear_message(overrides: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        EmbedtuneConfig().with_overrides(overrides)


def test_unknown_section_or_key_in_a_file(tmp_path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("train:\n  epochz: 2\n")
    with pytest.raises(ConfigError, match=r"train\.epochz"):
        EmbedtuneConfig.from_file(path)


def test_section_hash_changes_only_with_its_sections() -> None:
    config = EmbedtuneConfig()
    other = config.with_overrides({"learning_rate": 3e-5})
    assert config.section_hash("ingest", "chunk") == other.section_hash("ingest", "chunk")
    assert config.section_hash("train") != other.section_hash("train")
