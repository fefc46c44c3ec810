"""Tests for convlab.data: small synthetic files in the real formats; keras is never imported."""

from __future__ import annotations

import gzip
import io
import json
import os
import struct
import time
from pathlib import Path

import numpy as np
import pytest

from convlab import data

REPO_ROOT = Path(__file__).parents[1]
FASHION = data.FASHION_FILES


# --- writers for the real formats -------------------------------------------------------------


def make_arrays(image_shape=(28, 28), label_shape=(), n_train=20, n_test=10, seed=0):
    rng = np.random.default_rng(seed)
    arrays = {}
    for split, n in (("train", n_train), ("test", n_test)):
        arrays[f"x_{split}"] = rng.integers(0, 256, (n, *image_shape), dtype=np.uint8)
        arrays[f"y_{split}"] = rng.integers(0, 10, (n, *label_shape), dtype=np.uint8)
    return arrays


def write_npz(path: Path, name="mnist", **changes) -> dict[str, np.ndarray]:
    """Write a small npz like keras's; `changes` replace arrays (None drops one)."""
    spec = data.DATASETS[name]
    arrays = make_arrays(spec.image_shape, spec.label_shape)
    arrays.update(changes)
    arrays = {k: v for k, v in arrays.items() if v is not None}
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **arrays)
    return arrays


def write_idx_gz(path: Path, array: np.ndarray, magic=None, dims=None) -> None:
    """An idx ubyte file, gzipped; `magic`/`dims` override the header to make broken files."""
    array = np.asarray(array, dtype=np.uint8)
    magic = magic if magic is not None else (2051 if array.ndim == 3 else 2049)
    dims = dims if dims is not None else array.shape
    header = struct.pack(f">{1 + len(dims)}I", magic, *dims)
    with gzip.open(path, "wb") as f:
        f.write(header + array.tobytes())


def write_fashion(folder: Path, n_train=20, n_test=10) -> dict[str, np.ndarray]:
    arrays = make_arrays(n_train=n_train, n_test=n_test, seed=1)
    folder.mkdir(parents=True, exist_ok=True)
    for key, fname in FASHION.items():
        write_idx_gz(folder / fname, arrays[key])
    return arrays


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Data dir tmp_path/data; no project pyproject, system dirs, keras cache or network."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    monkeypatch.setenv("CONVLAB_DATA_DIR", str(data_dir))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))  # empty: no keras cache
    monkeypatch.delenv("CONVLAB_OFFLINE", raising=False)
    monkeypatch.delenv("CONVLAB_RUN_DIR", raising=False)
    monkeypatch.setattr(data, "SYSTEM_DATA_DIRS", ())
    monkeypatch.chdir(tmp_path)

    def no_keras(spec):
        raise AssertionError("keras must not be called in this test")

    def no_network(address, timeout=None):
        raise OSError("network disabled in tests")

    monkeypatch.setattr(data, "_keras_load", no_keras)
    monkeypatch.setattr(data.socket, "create_connection", no_network)
    return data_dir


@pytest.fixture
def data_dir(isolated):
    return isolated


# --- loading each format ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["mnist", "cifar10"])
def test_npz_loads_with_shapes_and_provenance(data_dir, name):
    spec = data.DATASETS[name]
    written = write_npz(data_dir / f"{name}.npz", name)
    ds = data.load(name)
    for key, array in written.items():
        got = getattr(ds, key)
        assert got.dtype == np.uint8 and got.shape == array.shape
        np.testing.assert_array_equal(got, array)
    assert ds.x_train.shape == (20, *spec.image_shape)
    assert ds.y_test.shape == (10, *spec.label_shape)
    assert ds.class_names == spec.class_names and len(ds.class_names) == 10
    prov = ds.provenance
    assert prov.source == "local copy" and prov.location == str(data_dir / f"{name}.npz")
    assert (prov.n_train, prov.n_test, prov.subset) == (20, 10, True)
    assert prov.fingerprint == data.fingerprint(data_dir / f"{name}.npz")
    text = prov.describe()
    assert str(data_dir) not in text, "a page never shows the build machine's paths"
    assert f"{name}.npz" in text and spec.title in text
    assert "20 train + 10 test" in text and "subset" in text and f"{spec.n_train:,}" in text
    assert json.loads(json.dumps(prov.as_dict()))["fingerprint"] == prov.fingerprint


@pytest.mark.parametrize("subfolder", ["fashion-mnist", ""])
def test_fashion_idx_loads(data_dir, subfolder):
    folder = data_dir / subfolder if subfolder else data_dir
    written = write_fashion(folder)
    assert data.find_local("fashion_mnist") == folder
    ds = data.load("fashion-mnist")  # hyphen spelling accepted
    assert ds.name == "fashion_mnist"
    assert ds.x_train.shape == (20, 28, 28) and ds.y_train.shape == (20,)
    assert ds.x_test.dtype == np.uint8 and ds.y_test.dtype == np.uint8
    np.testing.assert_array_equal(ds.x_test, written["x_test"])
    np.testing.assert_array_equal(ds.y_train, written["y_train"])
    assert ds.class_names[0] == "T-shirt/top" and ds.class_names[9] == "Ankle boot"
    assert ds.provenance.location == str(folder) and ds.provenance.subset
    assert ds.provenance.fingerprint == data.fingerprint(folder)


def test_fashion_subfolder_preferred_and_incomplete_folder_skipped(data_dir):
    write_fashion(data_dir)
    write_fashion(data_dir / "fashion-mnist")
    assert data.find_local("fashion_mnist") == data_dir / "fashion-mnist"
    (data_dir / "fashion-mnist" / FASHION["y_test"]).unlink()
    assert data.find_local("fashion_mnist") == data_dir


def test_full_size_copy_is_not_called_a_subset(data_dir, monkeypatch):
    write_npz(data_dir / "mnist.npz")
    monkeypatch.setitem(data.DATASETS, "mnist", data.DatasetSpec(
        "mnist", "MNIST", (28, 28), (), 20, 10, tuple("0123456789"), "mnist"))
    prov = data.load("mnist").provenance
    assert not prov.subset and "subset" not in prov.describe()


def test_load_records_provenance_during_a_build(data_dir, tmp_path, monkeypatch):
    write_npz(data_dir / "mnist.npz")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    monkeypatch.setenv("CONVLAB_RUN_DIR", str(run_dir))
    prov = data.load("mnist").provenance
    (event,) = [json.loads(line) for line in (run_dir / "records.jsonl").read_text().splitlines()]
    assert event["kind"] == "data" and event["fingerprint"] == prov.fingerprint
    assert event["location"] == prov.location and event["description"] == prov.describe()


# --- search order -----------------------------------------------------------------------------


def write_pyproject(folder: Path, table: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text(table, encoding="utf-8")


def test_data_dirs_order(tmp_path, monkeypatch):
    proj = tmp_path / "proj"
    write_pyproject(proj, '[tool.convlab]\ndata_dirs = ["data", "/abs/elsewhere"]\n')
    write_pyproject(proj / "sub", '[project]\nname = "other"\n')  # no [tool.convlab]: ignored
    (proj / "sub" / "deeper").mkdir()
    monkeypatch.chdir(proj / "sub" / "deeper")
    monkeypatch.setenv("CONVLAB_DATA_DIR", os.pathsep.join(["/env/one", "", "/env/two"]))
    monkeypatch.setattr(data, "SYSTEM_DATA_DIRS", (Path("/nonexistent/system"),))
    assert data.data_dirs() == [
        Path("/env/one"), Path("/env/two"), (proj / "data").resolve(), Path("/abs/elsewhere"),
        Path("/nonexistent/system"),
    ]


def test_env_var_wins_over_pyproject_relative_dir(data_dir, tmp_path, monkeypatch):
    proj = tmp_path / "proj"
    write_pyproject(proj, '[tool.convlab]\ndata_dirs = ["../missing", "copies"]\n')
    monkeypatch.chdir(proj)
    write_npz(proj / "copies" / "mnist.npz")
    assert data.find_local("mnist") == (proj / "copies" / "mnist.npz").resolve()
    write_npz(data_dir / "mnist.npz")
    assert data.find_local("mnist") == data_dir / "mnist.npz"
    monkeypatch.delenv("CONVLAB_DATA_DIR")
    location = data.load("mnist").provenance.location
    assert location == str((proj / "copies" / "mnist.npz").resolve())


def test_bad_pyproject_setting_is_a_data_error(tmp_path, monkeypatch):
    write_pyproject(tmp_path, '[tool.convlab]\ndata_dirs = "not-a-list"\n')
    with pytest.raises(data.DataError, match="list of strings"):
        data.data_dirs()


# --- broken files -----------------------------------------------------------------------------


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def corrupt_random(path: Path) -> None:
    path.write_bytes(np.random.default_rng(3).integers(0, 256, 5000, dtype=np.uint8).tobytes())


def truncate(path: Path) -> None:
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])


BROKEN_NPZ = {
    "random bytes": lambda p: corrupt_random(p),
    "truncated": lambda p: (write_npz(p), truncate(p)),
    "missing key": lambda p: write_npz(p, y_test=None),
    "float dtype": lambda p: write_npz(p, x_train=np.zeros((20, 28, 28), np.float32)),
    "wrong image shape": lambda p: write_npz(p, x_test=np.zeros((10, 28, 27), np.uint8)),
    "label count": lambda p: write_npz(p, y_train=np.zeros(19, np.uint8)),
    "label out of range": lambda p: write_npz(p, y_train=np.full(20, 10, np.uint8)),
    "empty": lambda p: write_npz(p, x_train=np.zeros((0, 28, 28), np.uint8),
                                 y_train=np.zeros(0, np.uint8)),
    "plain npy": lambda p: p.write_bytes(npy_bytes(np.zeros(3, np.uint8))),
}


@pytest.mark.parametrize("breakage", BROKEN_NPZ)
def test_broken_npz_raises_data_file_error_naming_the_path(data_dir, breakage):
    path = data_dir / "mnist.npz"
    BROKEN_NPZ[breakage](path)
    with pytest.raises(data.DataFileError) as excinfo:
        data.load("mnist")
    assert str(path) in str(excinfo.value) and "re-copy" in str(excinfo.value).lower()


def test_cifar_labels_must_be_n_by_1(data_dir):
    write_npz(data_dir / "cifar10.npz", "cifar10", y_test=np.zeros(10, np.uint8))
    with pytest.raises(data.DataFileError, match=r"y_test has shape \(10,\)"):
        data.load("cifar10")


BROKEN_IDX = {
    "truncated gz": lambda p: truncate(p),
    "not gzip": lambda p: p.write_bytes(b"plain bytes, not gzip"),
    "bad magic": lambda p: write_idx_gz(p, np.zeros((20, 28, 28)), magic=2049),
    "length mismatch": lambda p: write_idx_gz(p, np.zeros((20, 28, 28)), dims=(21, 28, 28)),
    "short header": lambda p: gzip.open(p, "wb").close(),
}


@pytest.mark.parametrize("breakage", BROKEN_IDX)
def test_broken_idx_raises_data_file_error_naming_the_file(data_dir, breakage):
    write_fashion(data_dir / "fashion-mnist")
    path = data_dir / "fashion-mnist" / FASHION["x_train"]
    BROKEN_IDX[breakage](path)
    with pytest.raises(data.DataFileError) as excinfo:
        data.load("fashion_mnist")
    assert str(path) in str(excinfo.value)


# --- unknown names, offline, keras ------------------------------------------------------------


def test_unknown_dataset_suggests_closest():
    with pytest.raises(data.DataError, match="cifar10") as excinfo:
        data.load("cifar")
    assert "Did you mean 'cifar10'" in str(excinfo.value)
    assert "fashion_mnist" in str(excinfo.value)
    with pytest.raises(data.DataError):
        data.find_local("imagenet")


def assert_unavailable_fast(name: str, data_dir: Path, **kwargs) -> str:
    start = time.monotonic()
    with pytest.raises(data.DataUnavailableError) as excinfo:
        data.load(name, **kwargs)
    assert time.monotonic() - start < 5
    message = str(excinfo.value)
    assert data.DATASETS[name].title in message and "CONVLAB_DATA_DIR" in message
    assert str(data_dir) in message and "keras cache" in message
    assert str(data._keras_datasets_dir()) in message
    return message


def test_offline_env_var_refuses_fast(data_dir, monkeypatch):
    monkeypatch.setenv("CONVLAB_OFFLINE", "1")
    message = assert_unavailable_fast("cifar10", data_dir)
    assert str(data_dir / "cifar10.npz") in message and "CONVLAB_OFFLINE" in message


def test_download_false_refuses_fast(data_dir):
    message = assert_unavailable_fast("fashion_mnist", data_dir, download=False)
    assert str(data_dir / "fashion-mnist") in message and "download=False" in message


def test_failed_network_probe_refuses_fast(data_dir, monkeypatch):
    monkeypatch.setenv("CONVLAB_OFFLINE", "1")  # download=True overrides the env var
    message = assert_unavailable_fast("mnist", data_dir, download=True)
    assert "no connection to storage.googleapis.com" in message


def test_missing_dirs_are_listed(data_dir, monkeypatch):
    monkeypatch.setenv("CONVLAB_DATA_DIR", os.pathsep.join([str(data_dir), "/no/such/dir"]))
    message = assert_unavailable_fast("mnist", data_dir, download=False)
    assert "/no/such/dir/mnist.npz (folder does not exist)" in message


class FakeConnection:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def fake_keras(arrays, calls):
    def load(spec):
        calls.append(spec.keras_loader)
        return dict(arrays)

    return load


def test_keras_download_when_online(data_dir, monkeypatch):
    calls = []
    monkeypatch.setattr(data.socket, "create_connection", lambda *a, **k: FakeConnection())
    monkeypatch.setattr(data, "_keras_load", fake_keras(make_arrays(), calls))
    ds = data.load("mnist")
    assert calls == ["mnist"] and ds.provenance.source == "keras download"
    assert ds.x_train.shape == (20, 28, 28)


def test_keras_download_failure_is_wrapped(data_dir, monkeypatch):
    monkeypatch.setattr(data.socket, "create_connection", lambda *a, **k: FakeConnection())

    def broken(spec):
        raise ConnectionResetError("peer went away")

    monkeypatch.setattr(data, "_keras_load", broken)
    with pytest.raises(data.DataUnavailableError, match="peer went away") as excinfo:
        data.load("cifar10")
    assert isinstance(excinfo.value.__cause__, ConnectionResetError)
    assert "CONVLAB_DATA_DIR" in str(excinfo.value)


def test_keras_cache_used_when_present(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVLAB_OFFLINE", "1")  # a cache needs no download
    cache = tmp_path / "keras-home" / "datasets" / "mnist.npz"
    write_npz(cache)
    calls = []
    monkeypatch.setattr(data, "_keras_load", fake_keras(make_arrays(), calls))
    prov = data.load("mnist").provenance
    assert calls == ["mnist"] and prov.source == "keras cache"
    assert prov.location == str(cache) and prov.fingerprint == data.fingerprint(cache)


def test_keras_cache_fashion_needs_all_four_files(tmp_path, monkeypatch):
    cache = tmp_path / "keras-home" / "datasets" / "fashion-mnist"
    write_fashion(cache)
    (cache / FASHION["x_test"]).unlink()
    monkeypatch.setenv("CONVLAB_OFFLINE", "yes")
    with pytest.raises(data.DataUnavailableError):
        data.load("fashion_mnist")
    write_fashion(cache)
    calls = []
    monkeypatch.setattr(data, "_keras_load", fake_keras(make_arrays(), calls))
    assert data.load("fashion_mnist").provenance.location == str(cache)


def test_bad_keras_arrays_are_a_data_file_error(tmp_path, monkeypatch):
    cache = tmp_path / "keras-home" / "datasets" / "mnist.npz"
    write_npz(cache)
    bad = make_arrays(image_shape=(28, 28, 3))
    monkeypatch.setattr(data, "_keras_load", fake_keras(bad, []))
    with pytest.raises(data.DataFileError, match="keras downloads it again") as excinfo:
        data.load("mnist")
    assert str(cache) in str(excinfo.value)


def test_network_probe_gives_up_on_a_hanging_lookup(monkeypatch):
    def hang(address, timeout=None):
        time.sleep(3)
        raise OSError("too late")

    monkeypatch.setattr(data.socket, "create_connection", hang)
    start = time.monotonic()
    assert not data._can_reach("example.invalid", timeout=0.1)
    assert time.monotonic() - start < 2


def test_local_copy_preferred_over_keras_cache(data_dir, tmp_path):
    write_npz(tmp_path / "keras-home" / "datasets" / "mnist.npz")
    write_npz(data_dir / "mnist.npz")
    assert data.load("mnist").provenance.source == "local copy"  # _keras_load would fail


# --- fingerprint ------------------------------------------------------------------------------


def flip_byte(path: Path, index: int) -> None:
    raw = bytearray(path.read_bytes())
    raw[index] ^= 1
    path.write_bytes(bytes(raw))


def test_fingerprint_of_file_changes_with_one_byte(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(bytes(range(256)) * 10)
    before = data.fingerprint(path)
    assert before.startswith("sha256:") and len(before) == 7 + 64
    assert data.fingerprint(str(path)) == before
    flip_byte(path, 1234)
    assert data.fingerprint(path) != before


def test_fingerprint_of_folder(tmp_path):
    folder = tmp_path / "fashion-mnist"
    write_fashion(folder)
    before = data.fingerprint(folder)
    assert data.fingerprint(folder) == before
    flip_byte(folder / FASHION["y_test"], 20)
    changed = data.fingerprint(folder)
    assert changed != before
    (folder / FASHION["y_test"]).rename(folder / "renamed.gz")
    assert data.fingerprint(folder) != changed
    with pytest.raises(FileNotFoundError):
        data.fingerprint(tmp_path / "nothing")


# --- the real copies -----------------------------------------------------------------------------


def shared_datasets() -> Path | None:
    for folder in (Path("/work/shared/datasets"), REPO_ROOT.parent / "shared" / "datasets"):
        if (folder / "mnist.npz").is_file() and (folder / "cifar10.npz").is_file():
            return folder
    return None


@pytest.mark.slow
def test_real_datasets(monkeypatch):
    shared = shared_datasets()
    fashion = Path("/usr/share/datasets/fashion-mnist")
    if shared is None and not fashion.is_dir():
        pytest.skip("no real dataset copies on this machine")
    if shared is not None:
        monkeypatch.setenv("CONVLAB_DATA_DIR", str(shared))
        mnist = data.load("mnist")
        assert mnist.x_train.shape == (60000, 28, 28) and mnist.y_test.shape == (10000,)
        assert mnist.y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
        assert np.bincount(mnist.y_train).tolist() == [
            5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
        assert not mnist.provenance.subset
        cifar = data.load("cifar10")
        assert cifar.x_train.shape == (10000, 32, 32, 3) and cifar.y_test.shape == (10000, 1)
        assert np.bincount(cifar.y_test[:, 0]).tolist() == [1000] * 10
        assert cifar.provenance.subset
        assert "50,000" in cifar.provenance.describe()
    if fashion.is_dir():
        monkeypatch.setattr(data, "SYSTEM_DATA_DIRS", (fashion.parent,))
        monkeypatch.setenv("CONVLAB_DATA_DIR", "")
        ds = data.load("fashion_mnist")
        assert ds.x_train.shape == (60000, 28, 28) and ds.provenance.location == str(fashion)
        assert ds.y_train[:10].tolist() == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]
        assert np.bincount(ds.y_train).tolist() == [6000] * 10
        assert not ds.provenance.subset
