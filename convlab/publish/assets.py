"""Third-party code the build runs: MathJax, fetched from the npm registry.

Formulas are typeset when the site is built (:mod:`convlab.publish.formulas`), by MathJax
running under Node.js; the reader's browser gets MathML and runs no math script. Vendored
copies do not belong in the repository, so the first build on a machine runs
``npm pack mathjax@VERSION`` (npm checks the package's integrity), unpacks the two files Node.js
needs into a per-user cache, and later builds reuse them. Nothing from it is put on the site.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from convlab.publish import settings

MATHJAX_VERSION = "3.2.2"
# MathJax's Node.js entry point (its core, the lite DOM adaptor and the startup code in one
# file) and the TeX input jax with every TeX extension built in, so nothing loads on demand.
MATHJAX_FILES = ("es5/node-main.js", "es5/input/tex-full.js", "LICENSE")
ENTRY = "node-main.js"
INSTALL = "install Node.js and npm (Debian: apt-get install nodejs npm), then build again"


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
    folder = (cache or cache_dir()) / f"mathjax-{MATHJAX_VERSION}-node"
    if (folder / ENTRY).is_file():
        return folder
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError(f"the site's formulas need MathJax, installed with npm: {INSTALL}")
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent) as scratch:
        done = subprocess.run(
            [npm, "pack", f"mathjax@{MATHJAX_VERSION}", "--silent", "--pack-destination", scratch],
            capture_output=True, text=True)
        tarballs = list(Path(scratch).glob("*.tgz"))
        if done.returncode != 0 or not tarballs:
            raise AssetError(f"npm pack mathjax@{MATHJAX_VERSION} failed:\n"
                             f"{done.stdout}{done.stderr}".rstrip())
        unpacked = Path(scratch) / "mathjax"
        _extract(tarballs[0], unpacked)
        shutil.rmtree(folder, ignore_errors=True)
        unpacked.rename(folder)  # whole or not at all: an interrupted fetch leaves nothing
    return folder


def _extract(tarball: Path, target: Path) -> None:
    """Unpack the files of :data:`MATHJAX_FILES` from npm's ``package/es5/`` to ``target``."""
    with tarfile.open(tarball) as archive:
        for member in archive.getmembers():
            name = member.name.removeprefix("package/")
            if not member.isfile() or not name.startswith(MATHJAX_FILES):
                continue
            destination = target / name.removeprefix("es5/")
            destination.parent.mkdir(parents=True, exist_ok=True)
            source = archive.extractfile(member)
            assert source is not None
            destination.write_bytes(source.read())
