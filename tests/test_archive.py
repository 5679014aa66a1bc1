"""The call archive: written as the call happens, read back by QA, crash-tolerant."""

from __future__ import annotations

import json
import multiprocessing
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from qa_calls import EN_SCENARIO, T0, ZH_SCENARIO, make_scorecard, make_timeline

from roleplay.archive import calls as archive
from roleplay.archive.calls import ArchivedCall, CallWriter, iter_calls, read_call, save_scorecard
from roleplay.authoring.loader import load_scenario
from roleplay.model.errors import ArchiveError


@pytest.fixture(scope="module")
def en():
    return load_scenario(EN_SCENARIO)


@pytest.fixture(scope="module")
def zh():
    return load_scenario(ZH_SCENARIO)


def record(root: Path, scenario, trainee: str = "trainee-1", finish: bool = True, **kw):
    writer = CallWriter(root, scenario, trainee, started_at=T0, **kw)
    timeline = make_timeline(str(scenario.language), sink=writer.event)
    if finish:
        writer.finish(timeline, make_scorecard(writer.call_id), extra={"station": "desk-3"})
    return writer, timeline


def test_round_trip_keeps_everything(tmp_path, zh):
    writer, timeline = record(tmp_path, zh, trainee="王小明")
    assert re.fullmatch(r"20261122-153012-tiny-zh-[0-9a-f]{6}", writer.call_id)
    folder = tmp_path / writer.call_id
    assert (folder / "scenario.yaml").read_bytes() == ZH_SCENARIO.read_bytes()
    raw = json.loads((folder / "call.json").read_text(encoding="utf-8"))
    assert raw["schema"] == 1 and raw["started_at"] == "2026-11-22T15:30:12Z"
    assert raw["scenario"]["id"] == "tiny-zh" and raw["scenario"]["version"] == zh.version
    assert raw["station"] == "desk-3"
    assert [h["source"] for h in raw["scorecards"]] == ["live"]
    assert "光纤套餐每月四十九元。" in (folder / "call.json").read_text(encoding="utf-8")

    call = read_call(folder)
    assert isinstance(call, ArchivedCall) and call.complete
    assert (call.call_id, call.trainee, call.started_at) == (writer.call_id, "王小明", raw["started_at"])
    assert call.scenario.id == "tiny-zh" and call.scenario.nodes.keys() == zh.nodes.keys()
    assert call.scenario_version == zh.version
    assert call.timeline.to_json() == timeline.to_json()
    assert call.scorecard == make_scorecard(writer.call_id)
    assert call.wav_path is None


def test_events_are_on_disk_before_the_call_ends(tmp_path, en):
    writer = CallWriter(tmp_path, en, "t", started_at=T0)
    timeline = make_timeline("en", sink=writer.event)
    lines = writer.wav_path.with_name("events.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == timeline.to_json()
    assert writer.wav_path == tmp_path / writer.call_id / "call.wav"
    writer.wav_path.write_bytes(b"RIFF")  # the recorder's file is picked up by the reader
    writer.finish(timeline, None)
    with pytest.raises(ArchiveError, match="finished"):
        writer.event(timeline.events[0])
    call = read_call(writer.dir)
    assert call.scorecard is None and call.scorecards == [] and call.wav_path == writer.wav_path


def test_a_crashed_call_is_recovered_from_its_event_log(tmp_path, en):
    writer, timeline = record(tmp_path, en, finish=False)
    with open(writer.dir / "events.jsonl", "a", encoding="utf-8") as log:
        log.write('{"t_ms": 99999, "kind": "call_en')  # the process died mid-line
    call = read_call(writer.dir)
    assert not call.complete
    assert call.timeline.to_json() == timeline.to_json()
    assert (call.trainee, call.started_at, call.scenario.id) == ("trainee-1", "2026-11-22T15:30:12Z", "tiny-en")


@pytest.mark.parametrize("damage, expected", [
    (lambda text: text[: len(text) // 2], r"call\.json: truncated JSON at line \d+"),
    (lambda text: text.replace('"kind"', '"kind" "', 1), r"call\.json: corrupted JSON at line \d+"),
    (lambda text: "[1, 2]", r"call\.json: expected a JSON object"),
    (lambda text: text.replace('"call_started"', '"no_such_kind"', 1), r"call\.json: event 0 is not"),
    (lambda text: text.replace('"schema": 1', '"schema": 7', 1), r"schema 7 is not supported"),
])
def test_a_damaged_call_json_is_one_clear_error(tmp_path, en, damage, expected):
    writer, _ = record(tmp_path, en)
    path = writer.dir / "call.json"
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ArchiveError, match=expected) as caught:
        read_call(writer.dir)
    assert "\n" not in str(caught.value) and str(path.parent) in str(caught.value)


def test_a_corrupted_line_inside_the_event_log_is_an_error(tmp_path, en):
    writer, _ = record(tmp_path, en, finish=False)
    log = writer.dir / "events.jsonl"
    lines = log.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3][:-5]
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ArchiveError, match=r"events\.jsonl:4: corrupted event line"):
        read_call(writer.dir)


def test_a_batch_goes_on_past_a_bad_call(tmp_path, en, zh):
    record(tmp_path / "desk1", en, call_id="a-good")
    bad = tmp_path / "desk1" / "b-bad"
    bad.mkdir()
    (bad / "call.json").write_text("{", encoding="utf-8")
    record(tmp_path / "desk2", zh, call_id="c-good")
    (tmp_path / "notes").mkdir()  # neither a call nor a folder of calls: nothing yielded
    results = list(iter_calls([tmp_path, tmp_path / "missing"]))
    assert [type(r).__name__ for r in results] == ["ArchivedCall", "ArchiveError", "ArchivedCall",
                                                  "ArchiveError"]
    assert results[0].call_id == "a-good" and results[2].call_id == "c-good"
    assert "b-bad/call.json: truncated" in str(results[1])
    assert "missing: no such call folder" in str(results[3])


def test_save_scorecard_keeps_the_history(tmp_path, en):
    writer, _ = record(tmp_path, en)
    first = read_call(writer.dir).scorecard
    newer = make_scorecard(writer.call_id, score=55.0)
    save_scorecard(writer.dir, newer, "rescore:phrasebank-2", at=datetime(2026, 12, 1, tzinfo=UTC))
    call = read_call(writer.dir)
    assert call.scorecard == newer
    assert [h["scorecard"] for h in call.scorecards] == [first, newer]
    assert call.scorecards[1]["at"] == "2026-12-01T00:00:00Z"
    assert call.scorecards[1]["source"] == "rescore:phrasebank-2"
    assert call.timeline.to_json() == make_timeline("en").to_json()  # nothing else touched
    assert not [p.name for p in writer.dir.iterdir() if p.name.endswith(".tmp")]


def test_a_recovered_call_can_be_scored_and_stays_marked_incomplete(tmp_path, en):
    writer, timeline = record(tmp_path, en, finish=False)
    save_scorecard(writer.dir, make_scorecard(writer.call_id), "rescore")
    call = read_call(writer.dir)
    assert not call.complete and call.scorecard is not None
    assert call.timeline.to_json() == timeline.to_json()


def test_a_failed_rewrite_leaves_the_old_call_json(tmp_path, en, monkeypatch):
    writer, _ = record(tmp_path, en)
    before = (writer.dir / "call.json").read_bytes()

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(archive.os, "fsync", fail)
    with pytest.raises(OSError):
        save_scorecard(writer.dir, make_scorecard(writer.call_id, score=1.0), "rescore")
    assert (writer.dir / "call.json").read_bytes() == before
    assert sorted(p.name for p in writer.dir.iterdir()) == [
        ".lock", "call.json", "events.jsonl", "meta.json", "scenario.yaml"]


def _rescore(call_dir: str, worker: int) -> None:
    for n in range(5):
        save_scorecard(Path(call_dir), make_scorecard("x", score=float(worker * 10 + n)), f"w{worker}")


def test_concurrent_rescoring_loses_no_history(tmp_path, en):
    writer, _ = record(tmp_path, en)
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_rescore, args=(str(writer.dir), w)) for w in range(4)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(30)
    assert [p.exitcode for p in workers] == [0, 0, 0, 0]
    scores = sorted(h["scorecard"]["score"] for h in read_call(writer.dir).scorecards[1:])
    assert scores == sorted(float(w * 10 + n) for w in range(4) for n in range(5))


def test_writer_refuses_to_reuse_a_call_folder(tmp_path, en):
    record(tmp_path, en, call_id="same")
    with pytest.raises(ArchiveError, match="already exists"):
        CallWriter(tmp_path, en, "t", call_id="same")


def test_not_a_call_folder(tmp_path):
    with pytest.raises(ArchiveError, match="not a call archive"):
        read_call(tmp_path)


def test_the_stdlib_parser_reads_the_same_call(tmp_path, en, monkeypatch):
    writer, _ = record(tmp_path, en)
    fast = read_call(writer.dir)
    monkeypatch.setattr(archive, "_fast_loads", json.loads)  # as without the optional orjson
    slow = read_call(writer.dir)
    assert slow.raw == fast.raw and slow.timeline.to_json() == fast.timeline.to_json()
