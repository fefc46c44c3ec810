"""The scripts in benchmarks/ that store results lessons read: they run and write what the
lessons expect, here on tiny synthetic datasets in the real formats."""

from __future__ import annotations

import importlib.util
import json

from tests.conftest import REPO
from tests.test_data import write_fashion


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tutorial_cnn_80_epochs_stores_what_lesson_09_reads(data_dir, tmp_path):
    out = tmp_path / "results" / "run.json"
    assert _script("tutorial_cnn_80_epochs").main(
        ["--epochs", "1", "--train-size", "20", "--json", str(out)]) == 0
    run = json.loads(out.read_text())
    assert run["epochs"] == 1 and run["train_images"] + run["validation_images"] == 20
    assert 0 <= run["test_accuracy"] <= 1
    assert run["data_fingerprint"].startswith("sha256:")


def test_fashion_cnn_a_seeds_stores_one_run_per_seed(data_dir, tmp_path):
    write_fashion(data_dir / "fashion-mnist")
    out = tmp_path / "results" / "seeds.json"
    assert _script("fashion_cnn_a_seeds").main(["--seeds", "7", "8", "--json", str(out)]) == 0
    stored = json.loads(out.read_text())
    assert [run["seed"] for run in stored["runs"]] == [7, 8]
    for run in stored["runs"]:
        assert len(run["test_accuracy_per_epoch"]) == stored["epochs"] == 10
        assert run["test_accuracy"] == run["test_accuracy_per_epoch"][-1]
    assert stored["data"]["dataset"] == "fashion_mnist"
    assert stored["data_fingerprint"].startswith("sha256:")


def test_lighthouse_serves_the_site_compressed_as_github_pages(tmp_path):
    import gzip
    import urllib.request

    lighthouse = _script("lighthouse")
    (tmp_path / "lessons").mkdir()
    (tmp_path / "index.html").write_text("<p>home</p>" * 50)
    (tmp_path / "lessons" / "a.html").write_text("<p>a</p>")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG" + bytes(100))
    assert lighthouse.pages(tmp_path) == ["index.html", "results.html", "lessons/a.html"]
    with lighthouse.serve(tmp_path) as base:
        def get(path):
            request = urllib.request.Request(f"{base}/{path}",
                                             headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(request) as response:
                return response.headers.get("Content-Encoding"), response.read()

        encoding, body = get("index.html")
        assert encoding == "gzip" and gzip.decompress(body) == b"<p>home</p>" * 50
        assert get("photo.png") == (None, b"\x89PNG" + bytes(100)), "images as they are"


def test_lighthouse_names_the_audits_that_cost_points():
    lighthouse = _script("lighthouse")
    report = {"categories": {"seo": {"score": 0.92, "auditRefs": [
        {"id": "meta-description", "weight": 1}, {"id": "canonical", "weight": 1},
        {"id": "manual", "weight": 0}]}},
        "audits": {"meta-description": {"score": 0, "title": "No meta description"},
                   "canonical": {"score": 1, "title": "ok"},
                   "manual": {"score": 0, "title": "manual"}}}
    assert lighthouse.scores({"categories": {c: {"score": 1} for c in lighthouse.CATEGORIES}}) \
        == dict.fromkeys(lighthouse.CATEGORIES, 100)
    assert lighthouse.lost_points(report, "seo") == ["meta-description: No meta description"]
