"""Trained networks kept with a run: written in a build, stored and verified with the entry,
read back by a later lesson through the store's reader (which tells the build it read them)."""

from __future__ import annotations

import json

import nbformat
import numpy as np
import pytest

from convlab import keep, report, settings
from convlab.publish.store import CorruptEntry, RunStore
from convlab.report import Event
from convlab.runs import stored_model
from tests.test_store import _manifest


def _network():
    import keras

    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((6, 6, 2)),
                             keras.layers.Conv2D(3, 3, padding="same", activation="relu"),
                             keras.layers.GlobalAveragePooling2D(),
                             keras.layers.Dense(4, activation="softmax")])


def test_a_kept_network_loads_back_with_its_architecture_and_float16_weights(tmp_path):
    model = _network()
    path = tmp_path / "net.npz"
    path.write_bytes(keep.to_bytes(model))
    loaded = keep.load(path)
    assert [type(a).__name__ for a in loaded.layers] == [type(a).__name__ for a in model.layers]
    for ours, theirs in zip(loaded.get_weights(), model.get_weights(), strict=True):
        assert ours.dtype == np.float32
        np.testing.assert_allclose(ours, theirs, rtol=2**-10, atol=1e-7)
    x = np.random.default_rng(1).normal(size=(5, 6, 6, 2)).astype("float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               atol=2e-3)
    with np.load(path) as archive:  # readable without convlab
        assert {"config", "weight_000"} <= set(archive.files)
        assert archive["weight_000"].dtype == np.float16


def test_keep_model_writes_only_in_a_build(tmp_path, monkeypatch):
    model = _network()
    monkeypatch.delenv(settings.RUN_DIR_ENV, raising=False)
    assert keep.keep_model("cnn", model) is None
    monkeypatch.setenv(settings.RUN_DIR_ENV, str(tmp_path))
    path = keep.keep_model("cnn", model)
    assert path == tmp_path / "models" / "cnn.npz" and path.is_file()
    assert list(keep.kept_files(tmp_path)) == ["cnn.npz"]
    assert not [p for p in path.parent.iterdir() if p.suffix == ".tmp"]
    with pytest.raises(ValueError, match="lower-case letters"):
        keep.keep_model("My Net", model)


def _store_with_network(tiny_project, tmp_path, model):
    alpha = tiny_project.lesson("01")
    from convlab.publish.profile import load_profile

    tiny = load_profile(tiny_project.root / "tiny.toml")
    content = keep.to_bytes(model)
    import hashlib

    manifest = _manifest(alpha, tiny, models=[{
        "name": "cnn", "file": "cnn.npz", "bytes": len(content),
        "sha256": hashlib.sha256(content).hexdigest()}])
    cell = nbformat.v4.new_code_cell("print(1)", execution_count=1)
    store = RunStore(tmp_path / "store", strict=False, name="the test store")
    store.write(alpha, nbformat.v4.new_notebook(cells=[cell]), manifest,
                {"cnn.npz": content})
    return store, alpha


def test_a_stored_network_is_verified_with_its_entry(tiny_project, tmp_path):
    store, alpha = _store_with_network(tiny_project, tmp_path, _network())
    entry = store.read(alpha)
    assert entry is not None and entry.meta["models"][0]["bytes"] > 0
    (store.folder(alpha) / "cnn.npz").write_bytes(b"not a network")
    with pytest.raises(CorruptEntry, match="kept network cnn.npz is not the one"):
        store.read(alpha)
    (store.folder(alpha) / "cnn.npz").unlink()
    with pytest.raises(CorruptEntry, match="kept network cnn.npz is missing"):
        store.read(alpha)


def test_a_later_lesson_reads_the_network_and_the_build_learns_of_the_file(
        tiny_project, tmp_path, monkeypatch):
    model = _network()
    store, alpha = _store_with_network(tiny_project, tmp_path, model)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    monkeypatch.setenv(settings.RUN_DIR_ENV, str(run_dir))
    slug = alpha.slug
    loaded = stored_model(slug, "cnn", store=store.root)
    x = np.random.default_rng(2).normal(size=(3, 6, 6, 2)).astype("float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               atol=2e-3)
    read = [e["location"] for e in report.read(run_dir, Event.FILE)]
    assert read == [str((store.folder(alpha) / n).resolve()) for n in ("manifest.json",
                                                                       "cnn.npz")]
    assert stored_model(slug, "other", store=store.root) is None
    assert stored_model("no_such_lesson", "cnn", store=store.root) is None
    (store.folder(alpha) / "cnn.npz").write_bytes(b"edited")
    with pytest.raises(ValueError, match=f"convlab run {slug} --profile full"):
        stored_model(slug, "cnn", store=store.root)


def test_a_manifest_and_the_files_given_must_agree(tiny_project, tmp_path):
    store, alpha = _store_with_network(tiny_project, tmp_path, _network())
    meta = json.loads((store.folder(alpha) / "manifest.json").read_text())
    with pytest.raises(ValueError, match="lists the kept networks"):
        store.write(alpha, nbformat.v4.new_notebook(), meta, {})


def test_a_lesson_that_keeps_a_network_gets_it_stored_with_its_entry(tiny_project, tmp_path):
    from convlab.publish.execute import execute
    from convlab.publish.freshness import manifest
    from convlab.publish.profile import load_profile

    lesson = tiny_project.lesson("01")
    lesson.path.write_text(lesson.path.read_text() + (
        "\n# %%\nimport keras\nfrom convlab.keep import keep_model\n"
        "net = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])\n"
        "keep_model('net', net)\n"))
    profile = load_profile(tiny_project.root / "tiny.toml")
    run = execute(lesson, profile, cwd=tiny_project.root)
    assert list(run.models) == ["net.npz"]
    meta = manifest(lesson, profile, run, tiny_project.root)
    assert [(m["name"], m["file"], m["bytes"]) for m in meta["models"]] == [
        ("net", "net.npz", len(run.models["net.npz"]))]
    store = RunStore(tmp_path / "store", strict=False, name="the test store")
    store.write(lesson, run.notebook, meta, run.models)
    assert store.read(lesson) is not None
    assert keep.load(store.folder(lesson) / "net.npz").count_params() == 10
