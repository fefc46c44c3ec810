"""Third-party code fetched from the npm registry: MathJax, which the build runs under Node.js;
iframe-worker, which the site serves; axe-core, which the browser tests inject.

Vendored copies do not belong in the repository, so the first use on a machine runs
``npm pack NAME@VERSION`` (npm checks the package's integrity), unpacks the few files needed
into a per-user cache (:func:`cache_dir`), and later builds reuse them.

* MathJax typesets formulas when the site is built (:mod:`convlab.publish.formulas`); the
  reader's browser gets MathML and runs no math script. Nothing from it is put on the site.
* iframe-worker lets search run in a page opened from disk (Material's offline plugin); it is
  served under ``vendor/iframe-worker/``, never from a CDN.
* axe-core is the accessibility checker of tests/browser/test_accessibility.py.
* Lighthouse (with its dependencies, so ``npm install`` rather than ``npm pack``) scores the
  built pages on a phone profile (``benchmarks/lighthouse.py``, which ``.ci/run`` runs).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from convlab.publish import settings

INSTALL = "install Node.js and npm (Debian: apt-get install nodejs npm), then build again"

MATHJAX_VERSION = "3.2.2"
# MathJax's Node.js entry point (its core, the lite DOM adaptor and the startup code in one
# file) and the TeX input jax with every TeX extension built in, so nothing loads on demand.
MATHJAX_FILES = ("es5/node-main.js", "es5/input/tex-full.js", "LICENSE")
ENTRY = "node-main.js"
# Search in a page opened from disk (file://): Material's offline plugin loads this shim, which
# runs the search worker in an iframe. Served under vendor/iframe-worker/, never from unpkg.
IFRAME_WORKER_VERSION = "1.0.4"
IFRAME_WORKER_FILES = ("shim/index.js", "LICENSE")
IFRAME_WORKER_ENTRY = "shim/index.js"
IFRAME_WORKER_FOLDER = "vendor/iframe-worker"
# axe-core, injected into pages by the browser tests (tests/browser/test_accessibility.py).
AXE_VERSION = "4.10.3"
AXE_FILES = ("axe.min.js", "LICENSE")
AXE_ENTRY = "axe.min.js"
# Lighthouse, run by benchmarks/lighthouse.py. 12.x: the last major release that runs on
# Debian's Node.js 20 (13.x asks for Node.js 22.19 or newer).
LIGHTHOUSE_VERSION = "12.8.2"
LIGHTHOUSE_ENTRY = "node_modules/lighthouse/cli/index.js"


class AssetError(RuntimeError):
    """An asset could not be installed; the message says how to fix it."""


def cache_dir() -> Path:
    """Where fetched assets are kept: ``$CONVLAB_ASSETS_DIR``, else the user's cache folder."""
    return settings.assets_dir()


def node() -> str:
    """The ``node`` program that runs MathJax."""
    found = shutil.which("node") or shutil.which("nodejs")
    if found is None:
        raise AssetError(f"the site's formulas are typeset by MathJax under Node.js: {INSTALL}")
    return found


def mathjax(cache: Path | None = None) -> Path:
    """The folder holding MathJax for Node.js (``node-main.js``, ``input/tex-full.js``),
    fetching it with npm the first time."""
    return npm_package("mathjax", MATHJAX_VERSION, MATHJAX_FILES, ENTRY, cache=cache,
                       strip="es5/", folder=f"mathjax-{MATHJAX_VERSION}-node",
                       purpose="the site's formulas need MathJax")


def iframe_worker(cache: Path | None = None) -> Path:
    """The folder holding iframe-worker's ``shim/index.js``: Material's offline plugin needs it
    so that search runs in a page opened from disk, where a browser refuses Web Workers."""
    return npm_package("iframe-worker", IFRAME_WORKER_VERSION, IFRAME_WORKER_FILES,
                       IFRAME_WORKER_ENTRY, cache=cache,
                       purpose="search in a site opened from disk needs iframe-worker")


def axe_core(cache: Path | None = None) -> Path:
    """The file ``axe.min.js`` of axe-core (the browser tests' accessibility checker)."""
    folder = npm_package("axe-core", AXE_VERSION, AXE_FILES, AXE_ENTRY, cache=cache,
                         purpose="the accessibility tests need axe-core")
    return folder / AXE_ENTRY


def lighthouse(cache: Path | None = None) -> Path:
    """Lighthouse's command-line entry point (a Node.js script), installed with its
    dependencies by ``npm install`` the first time (no browser download: it drives Debian's
    Chromium)."""
    target = (cache or cache_dir()) / f"lighthouse-{LIGHTHOUSE_VERSION}"
    if (target / LIGHTHOUSE_ENTRY).is_file():
        return target / LIGHTHOUSE_ENTRY
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError(f"Lighthouse, installed with npm: {INSTALL}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        done = subprocess.run(
            [npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", scratch,
             f"lighthouse@{LIGHTHOUSE_VERSION}"],
            capture_output=True, text=True, env={**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"})
        if done.returncode != 0 or not (Path(scratch) / LIGHTHOUSE_ENTRY).is_file():
            raise AssetError(f"npm install lighthouse@{LIGHTHOUSE_VERSION} failed:\n"
                             f"{done.stdout}{done.stderr}".rstrip())
        shutil.rmtree(target, ignore_errors=True)
        Path(scratch).rename(target)  # whole or not at all
        Path(scratch).mkdir()  # for TemporaryDirectory's clean-up
    return target / LIGHTHOUSE_ENTRY


def npm_package(name: str, version: str, files: tuple[str, ...], entry: str, *,
                cache: Path | None = None, strip: str = "", folder: str = "",
                purpose: str = "") -> Path:
    """The folder ``<cache>/<folder>`` (default ``<name>-<version>``) holding ``files``
    (prefixes of paths in the npm package, ``strip`` cut from the front) of the npm package
    ``name@version``, fetched with ``npm pack`` the first time (``entry``, a file in the
    folder, shows it is complete)."""
    target = (cache or cache_dir()) / (folder or f"{name}-{version}")
    if (target / entry).is_file():
        return target
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError(f"{purpose or name}, installed with npm: {INSTALL}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        done = subprocess.run(
            [npm, "pack", f"{name}@{version}", "--silent", "--pack-destination", scratch],
            capture_output=True, text=True)
        tarballs = list(Path(scratch).glob("*.tgz"))
        if done.returncode != 0 or not tarballs:
            raise AssetError(f"npm pack {name}@{version} failed:\n"
                             f"{done.stdout}{done.stderr}".rstrip())
        unpacked = Path(scratch) / "unpacked"
        _extract(tarballs[0], unpacked, files, strip)
        shutil.rmtree(target, ignore_errors=True)
        unpacked.rename(target)  # whole or not at all: an interrupted fetch leaves nothing
    return target


def _extract(tarball: Path, target: Path, files: tuple[str, ...], strip: str = "") -> None:
    """Unpack the files of the package (npm's ``package/``) whose paths start with one of
    ``files`` to ``target``, ``strip`` cut from the front of each path."""
    with tarfile.open(tarball) as archive:
        for member in archive.getmembers():
            name = member.name.removeprefix("package/")
            if not member.isfile() or not name.startswith(files):
                continue
            destination = target / name.removeprefix(strip)
            destination.parent.mkdir(parents=True, exist_ok=True)
            source = archive.extractfile(member)
            assert source is not None
            destination.write_bytes(source.read())


def site_files(folder: Path, site_folder: str) -> dict[str, Path]:
    """Each file of an asset folder by its path on the site (under ``site_folder``)."""
    return {f"{site_folder}/{p.relative_to(folder).as_posix()}": p
            for p in sorted(folder.rglob("*")) if p.is_file()}
