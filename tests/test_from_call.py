"""`roleplay scenario from-call`: a valid scenario draft from an archived call."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli import main
from roleplay.archive.calls import read_call
from roleplay.authoring.loader import load_scenario
from roleplay.frontends.simulate import simulate
from roleplay.training.validate import validate_paths

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module", params=["en", "zh"])
def call_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    lang = request.param
    answers = ROOT / "scenarios" / lang / "answers" / "broadband-slow-good.yaml"
    result = simulate(f"broadband-slow-{lang}", answers, out_dir=tmp_path_factory.mktemp("calls"))
    assert result.call_dir is not None
    return result.call_dir


def test_draft_validates_and_follows_the_call(call_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "draft.yaml"
    assert main(["scenario", "from-call", str(call_dir), "-o", str(out)]) == 0
    errors, checked = validate_paths([out])
    assert checked == 1 and [str(e) for e in errors] == []
    assert main(["validate", str(out)]) == 0

    call = read_call(call_dir)
    draft = load_scenario(out)
    assert draft.id == f"{call.scenario.id}-from-call" and call.call_id in draft.title
    assert draft.language == call.scenario.language and draft.stage == call.scenario.stage
    turns = (call.scorecard or {})["turns"]
    customer = [t for t in turns if t["speaker"] == "customer"]
    order = [draft.start]
    while not draft.nodes[order[-1]].is_end:
        (branch,) = draft.nodes[order[-1]].branches
        order.append(branch.goto)
    assert [draft.nodes[n].say[0] for n in order] == [t["text"] for t in customer]
    assert str(draft.nodes[order[-1]].end) == call.raw["outcome"]

    text = out.read_text(encoding="utf-8")
    for t in turns:
        if t["speaker"] == "trainee":
            assert f"# trainee said: {t['text']}" in text
    first = draft.nodes[order[0]]
    assert {"greeting", "self_introduction"} <= set(first.expect.phrases)
    # Facts the scorecard found stated become knowledge, marked for the trainer to check.
    stated = {e["fact"] for i in call.scorecard["items"] if i["id"] == "knowledge" for e in i["evidence"]}
    assert set(draft.knowledge) == stated and text.count("# TODO: the trainee said") == len(stated)
    assert any(draft.nodes[n].hold for n in order)


def test_prints_the_draft_and_never_overwrites(call_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenario", "from-call", str(call_dir)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("# Draft made by `roleplay scenario from-call`")
    taken = tmp_path / "taken.yaml"
    taken.write_text("keep me", encoding="utf-8")
    assert main(["scenario", "from-call", str(call_dir), "-o", str(taken)]) == 2
    assert "already exists" in capsys.readouterr().err and taken.read_text(encoding="utf-8") == "keep me"
    assert main(["scenario", "from-call", str(tmp_path)]) == 2
    assert "not a call archive" in capsys.readouterr().err
