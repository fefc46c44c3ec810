"""Third-party files the site serves itself (MathJax, iframe-worker) and the browser tests use
(axe-core), fetched from the npm registry.

The site must typeset formulas without a CDN, and vendored copies do not belong in the
repository. So the first build on a machine runs ``npm pack mathjax@VERSION`` (npm checks the
package's integrity), unpacks the few files a page needs into a per-user cache, and later
builds reuse them. The convlab mkdocs plugin adds them to the site under ``vendor/mathjax/``.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from convlab.publish import settings

MATHJAX_VERSION = "3.2.2"
SITE_FOLDER = "vendor/mathjax"
# The combined TeX-to-HTML component (every TeX extension built in, so nothing loads on demand)
# and the web fonts it loads from beside itself.
MATHJAX_FILES = ("es5/tex-chtml-full.js", "es5/output/chtml/fonts/woff-v2/", "LICENSE")
ENTRY = "tex-chtml-full.js"
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


class AssetError(RuntimeError):
    """An asset could not be installed; the message says how to fix it."""


def cache_dir() -> Path:
    """Where fetched assets are kept: ``$CONVLAB_ASSETS_DIR``, else the user's cache folder."""
    return settings.assets_dir()


def mathjax(cache: Path | None = None) -> Path:
    """The folder holding MathJax's files (``tex-chtml-full.js`` and its fonts), fetching
    them with npm the first time."""
    return npm_package("mathjax", MATHJAX_VERSION, MATHJAX_FILES, ENTRY, cache=cache,
                       strip="es5/", purpose="the site's formulas need MathJax")


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


def npm_package(name: str, version: str, files: tuple[str, ...], entry: str, *,
                cache: Path | None = None, strip: str = "", purpose: str = "") -> Path:
    """The folder ``<cache>/<name>-<version>`` holding ``files`` (prefixes of paths in the npm
    package, ``strip`` cut from the front) of the npm package ``name@version``, fetched with
    ``npm pack`` the first time (``entry``, a file in the folder, shows it is complete)."""
    folder = (cache or cache_dir()) / f"{name}-{version}"
    if (folder / entry).is_file():
        return folder
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError(f"{purpose or name}, installed with npm: install Node.js "
                         "and npm (Debian: apt-get install npm), then build again")
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent) as scratch:
        done = subprocess.run(
            [npm, "pack", f"{name}@{version}", "--silent", "--pack-destination", scratch],
            capture_output=True, text=True)
        tarballs = list(Path(scratch).glob("*.tgz"))
        if done.returncode != 0 or not tarballs:
            raise AssetError(f"npm pack {name}@{version} failed:\n"
                             f"{done.stdout}{done.stderr}".rstrip())
        unpacked = Path(scratch) / "unpacked"
        _extract(tarballs[0], unpacked, files, strip)
        shutil.rmtree(folder, ignore_errors=True)
        unpacked.rename(folder)  # whole or not at all: an interrupted fetch leaves nothing
    return folder


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


def site_files(folder: Path, site_folder: str = SITE_FOLDER) -> dict[str, Path]:
    """Each file of an asset folder by its path on the site (under ``site_folder``)."""
    return {f"{site_folder}/{p.relative_to(folder).as_posix()}": p
            for p in sorted(folder.rglob("*")) if p.is_file()}
