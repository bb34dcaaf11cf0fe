"""Rubrics are data, validated on load: every problem as (file, field, reason); a second role
works with no code change."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.rubric import RUBRICS_DIR, RubricError, load_rubric
from tests.conftest import ROOT

TPM = RUBRICS_DIR / "tpm.toml"
PM = RUBRICS_DIR / "pm.toml"


@pytest.mark.parametrize("path", [TPM, PM], ids=lambda p: p.name)
def test_bundled_rubrics_are_valid(path):
    rubric = load_rubric(path)
    model = rubric.model
    assert rubric.ref.id == model.id and rubric.ref.version == model.version and len(rubric.sha256) == 64
    for cat in model.categories:
        for comp in cat.competencies:
            assert comp.description and comp.aliases and comp.references, comp.id


def test_tpm_rubric_covers_the_four_categories():
    names = [c.name for c in load_rubric(TPM).model.categories]
    assert names == ["Core technical skills", "Product and business skills", "Soft skills",
                     "TPM responsibilities and impact"]


def _broken(tmp_path: Path, old: str, new: str, source: Path = TPM) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "broken.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


BROKEN = [
    # (old, new, field the error names, words in the reason)
    ('weight = 0.30', 'weight = -1', "categories[0].weight", "greater than 0"),
    ('id = "architecture"', 'id = "Architecture Design"', "categories[0].competencies[0].id", "pattern"),
    ('result_bullet = 1.0, bullet = 0.75', 'result_bullet = 0.5, bullet = 0.75', "scoring.evidence_weights",
     "result_bullet >= bullet"),
    ('corroboration = [1.0, 0.3, 0.2]', 'corroboration = [0.5, 0.3]', "scoring.corroboration", "start with 1"),
    ('id = "apis"', 'id = "architecture"', "(top level)", "used twice"),
    ('paraphrase_quality = 0.8\n', '', "scoring.paraphrase_quality", "required"),
    ('name = "Technical Product Manager"\n', 'name = "Technical Product Manager"\nsurprise = 1\n', "surprise",
     "extra"),
]


@pytest.mark.parametrize("old,new,field,reason", BROKEN, ids=[b[2] for b in BROKEN])
def test_broken_rubric_lists_file_field_reason(tmp_path, old, new, field, reason):
    path = _broken(tmp_path, old, new)
    with pytest.raises(RubricError) as err:
        load_rubric(path)
    issues = err.value.issues
    assert any(i.field == field and reason.lower() in i.reason.lower() and i.file == str(path) for i in issues), issues


def test_syntax_error_and_missing_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "x\n', encoding="utf-8")
    with pytest.raises(RubricError) as err:
        load_rubric(bad)
    assert err.value.issues[0].field == "(syntax)"
    with pytest.raises(RubricError) as err:
        load_rubric(tmp_path / "missing.toml")
    assert err.value.issues[0].field == "(file)"


def test_every_problem_is_reported_at_once(tmp_path):
    path = tmp_path / "two.toml"
    text = TPM.read_text(encoding="utf-8").replace("weight = 0.30", "weight = -1", 1)
    text = text.replace("recency_floor = 0.35", "recency_floor = 7", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RubricError) as err:
        load_rubric(path)
    assert {"categories[0].weight", "scoring.recency_floor"} <= {i.field for i in err.value.issues}


def _rolefit(*args):
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_rubric_check_command(tmp_path):
    ok = _rolefit("rubric", "check", str(PM))
    assert ok.returncode == 0 and "ok (pm 0.1.0" in ok.stdout
    broken = _broken(tmp_path, 'weight = 0.30', 'weight = -1')
    bad = _rolefit("rubric", "check", str(broken))
    assert bad.returncode == 1
    assert f"{broken}: categories[0].weight: Input should be greater than 0" in bad.stderr


def test_a_broken_rubric_never_half_runs_a_batch(tmp_path):
    """The batch command validates the rubric before reading any file or starting Prefect."""
    broken = _broken(tmp_path, 'weight = 0.30', 'weight = -1')
    out = tmp_path / "out"
    run = _rolefit("batch", str(ROOT / "examples" / "applicants"), "--out", str(out), "--rubric", str(broken))
    assert run.returncode == 2
    assert "invalid rubric" in run.stderr and "categories[0].weight" in run.stderr
    assert not (out / "index.html").exists() and not (out / "results.json").exists()


def test_second_role_scores_with_no_code_change(rubric):
    from pipeline.profile_to_fit import profile_to_fit
    from tests.test_profile_to_fit import make_profile

    pm = load_rubric(PM)
    p = make_profile(bullets=["Interviewed 30 customers and rewrote the product roadmap",
                              "Wrote user stories and ran A/B tests that lifted conversion by 6%"])
    fit = profile_to_fit(p, pm)
    assert [c.id for c in fit.categories] == [c.id for c in pm.model.categories]
    assert {c.id for c in fit.competencies} == {c.id for cat in pm.model.categories for c in cat.competencies}
    assert fit.overall > 0
    assert profile_to_fit(p, rubric).categories != fit.categories


# ---------------------------------------------------------------------------------------------
# The cache of validated rubrics: pydantic validates a rubric's bytes once; later loads of the
# same bytes skip it (rolefit score starts faster); anything else is validated again.
# ---------------------------------------------------------------------------------------------


@pytest.fixture()
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("ROLEFIT_CACHE_DIR", str(folder))
    return folder


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("rubric-*.pickle")) if folder.exists() else []


@pytest.mark.parametrize("path", [TPM, PM], ids=lambda p: p.name)
def test_a_cached_rubric_equals_a_freshly_validated_one(cache_dir, path):
    fresh = load_rubric(path, cache=False)
    assert _entries(cache_dir) == []
    first = load_rubric(path)
    assert len(_entries(cache_dir)) == 1
    again = load_rubric(path)
    assert again == first == fresh and again.sha256 == fresh.sha256


def test_a_cached_load_does_not_import_pydantic(cache_dir):
    load_rubric(TPM)  # fills the cache
    code = "import sys, pipeline.rubric as r; r.load_rubric(); print('pydantic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_changed_bytes_are_validated_again(cache_dir, tmp_path):
    good = tmp_path / "rubric.toml"
    good.write_text(TPM.read_text(encoding="utf-8"), encoding="utf-8")
    load_rubric(good)
    good.write_text(TPM.read_text(encoding="utf-8").replace("weight = 0.30", "weight = -1", 1), encoding="utf-8")
    with pytest.raises(RubricError) as err:
        load_rubric(good)
    assert "categories[0].weight" in {i.field for i in err.value.issues}


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x04N."], ids=["empty", "garbage", "pickled None"])
def test_a_damaged_cache_entry_is_validated_again(cache_dir, damage):
    expected = load_rubric(TPM)
    (entry,) = _entries(cache_dir)
    entry.write_bytes(damage)
    assert load_rubric(TPM) == expected


def test_entries_of_another_schema_are_removed_when_a_new_one_is_written(cache_dir):
    cache_dir.mkdir(parents=True)
    stale = cache_dir / ("rubric-" + "0" * 32 + "-0000000000000000-py311.pickle")
    stale.write_bytes(b"old")
    load_rubric(PM)
    load_rubric(TPM)
    assert not stale.exists() and len(_entries(cache_dir)) == 2  # both current entries stay


def test_an_entry_others_could_write_is_not_read(cache_dir, tmp_path):
    """A pickle runs code when loaded: an entry that is group- or world-writable is ignored (and
    the rubric validated again), even when it holds a valid model."""
    import pipeline.rubric as rubric_module

    broken = _broken(tmp_path, 'weight = 0.30', 'weight = -1')
    entry = rubric_module._cache_entry(rubric_module.hashlib.sha256(broken.read_bytes()).hexdigest())
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_bytes(rubric_module.pickle.dumps(load_rubric(TPM).model))
    entry.chmod(0o666)
    with pytest.raises(RubricError):
        load_rubric(broken)
    entry.chmod(0o600)
    assert load_rubric(broken).model.id == "tpm"  # the same entry, now private, is read


def test_the_cache_can_be_turned_off(monkeypatch, tmp_path):
    monkeypatch.setenv("ROLEFIT_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    load_rubric(TPM)
    assert list(tmp_path.rglob("*.pickle")) == []


def test_an_unwritable_cache_is_not_an_error(monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("ROLEFIT_CACHE_DIR", str(blocker / "cache"))
    assert load_rubric(TPM) == load_rubric(TPM, cache=False)


def test_rubric_check_always_validates(cache_dir, tmp_path):
    """Even when the cache holds a valid model under a broken file's hash, ``rubric check``
    asks pydantic."""
    import pipeline.rubric as rubric_module

    broken = _broken(tmp_path, 'weight = 0.30', 'weight = -1')
    sha = rubric_module.hashlib.sha256(broken.read_bytes()).hexdigest()
    entry = rubric_module._cache_entry(sha)
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_bytes(rubric_module.pickle.dumps(load_rubric(TPM).model))
    assert load_rubric(broken).model.id == "tpm"  # what the (planted) cache says
    bad = subprocess.run([sys.executable, "-m", "cli", "rubric", "check", str(broken)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and "categories[0].weight" in bad.stderr


# ---------------------------------------------------------------------------------------------
# The data files beside a rubric (vocabularies, ladder signals, advice, redaction words): parsed
# once, then loaded from the cache while their bytes stay the same.
# ---------------------------------------------------------------------------------------------

DATA_FILES = sorted(p for p in RUBRICS_DIR.glob("*.toml") if p not in (TPM, PM))


def _data_entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("data-*.json")) if folder.exists() else []


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_a_cached_data_file_equals_the_parsed_toml(cache_dir, path):
    import tomllib

    from pipeline.rubric import load_data_file

    parsed = tomllib.loads(path.read_text(encoding="utf-8"))
    assert load_data_file(path) == parsed  # parsed, and written to the cache
    (entry,) = _data_entries(cache_dir)
    assert entry.name.startswith(f"data-{path.stem}-")
    assert load_data_file(str(path)) == parsed  # from the cache
    code = f"import sys, pipeline.rubric as r; r.load_data_file({str(path)!r}); print('tomllib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "False", out.stderr


def test_a_changed_data_file_is_parsed_again_and_replaces_its_entry(cache_dir, tmp_path):
    from pipeline.rubric import load_data_file

    path = tmp_path / "words.toml"
    path.write_text('words = ["alpha"]\n', encoding="utf-8")
    other = tmp_path / "other.toml"
    other.write_text('words = ["kept"]\n', encoding="utf-8")
    load_data_file(other)
    assert load_data_file(path) == {"words": ["alpha"]}
    path.write_text('words = ["alpha", "beta"]\n', encoding="utf-8")
    assert load_data_file(path) == {"words": ["alpha", "beta"]}
    names = [e.name.split("-")[1] for e in _data_entries(cache_dir)]
    assert sorted(names) == ["other", "words"]  # the older words.toml entry is gone, other's stays


@pytest.mark.parametrize("damage", [b"", b"{not json", b"\xff\xfe"], ids=["empty", "garbage", "not UTF-8"])
def test_a_damaged_data_entry_is_parsed_again(cache_dir, damage):
    from pipeline.rubric import load_data_file

    path = RUBRICS_DIR / "advice.toml"
    expected = load_data_file(path)
    (entry,) = _data_entries(cache_dir)
    entry.write_bytes(damage)
    assert load_data_file(path) == expected


def test_a_data_entry_others_could_write_is_not_read(cache_dir, tmp_path):
    from pipeline.rubric import load_data_file

    path = tmp_path / "words.toml"
    path.write_text('words = ["real"]\n', encoding="utf-8")
    load_data_file(path)
    (entry,) = _data_entries(cache_dir)
    entry.write_text('{"words": ["planted"]}', encoding="utf-8")
    entry.chmod(0o666)
    assert load_data_file(path) == {"words": ["real"]}
    (entry,) = _data_entries(cache_dir)
    entry.write_text('{"words": ["planted"]}', encoding="utf-8")
    entry.chmod(0o600)
    assert load_data_file(path) == {"words": ["planted"]}  # the same entry, private, is read


def test_data_files_json_cannot_hold_are_parsed_every_time(cache_dir, tmp_path):
    import datetime

    from pipeline.rubric import load_data_file

    path = tmp_path / "dated.toml"
    path.write_text("when = 2026-11-26\nhow_far = inf\n", encoding="utf-8")
    assert load_data_file(path) == {"when": datetime.date(2026, 11, 26), "how_far": float("inf")}
    assert _data_entries(cache_dir) == []
    assert load_data_file(path)["when"] == datetime.date(2026, 11, 26)


def test_a_broken_data_file_raises_what_tomllib_raises(cache_dir, tmp_path):
    import tomllib

    from pipeline.rubric import load_data_file

    path = tmp_path / "broken.toml"
    path.write_text("words = [\n", encoding="utf-8")
    with pytest.raises(tomllib.TOMLDecodeError):
        load_data_file(path)
    with pytest.raises(FileNotFoundError):
        load_data_file(tmp_path / "missing.toml")
    assert _data_entries(cache_dir) == []


def test_data_files_are_not_cached_when_the_cache_is_off(monkeypatch, tmp_path):
    from pipeline.rubric import load_data_file

    monkeypatch.setenv("ROLEFIT_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    assert load_data_file(RUBRICS_DIR / "advice.toml")
    assert list(tmp_path.rglob("*.json")) == []
