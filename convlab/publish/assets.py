"""Third-party files the site serves itself: MathJax, fetched from the npm registry.

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


class AssetError(RuntimeError):
    """An asset could not be installed; the message says how to fix it."""


def cache_dir() -> Path:
    """Where fetched assets are kept: ``$CONVLAB_ASSETS_DIR``, else the user's cache folder."""
    return settings.assets_dir()


def mathjax(cache: Path | None = None) -> Path:
    """The folder holding MathJax's files (``tex-chtml-full.js`` and its fonts), fetching
    them with npm the first time."""
    folder = (cache or cache_dir()) / f"mathjax-{MATHJAX_VERSION}"
    if (folder / ENTRY).is_file():
        return folder
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError("the site's formulas need MathJax, installed with npm: install Node.js "
                         "and npm (Debian: apt-get install npm), then build again")
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


def site_files(folder: Path) -> dict[str, Path]:
    """Each file of an asset folder by its path on the site (under :data:`SITE_FOLDER`)."""
    return {f"{SITE_FOLDER}/{p.relative_to(folder).as_posix()}": p
            for p in sorted(folder.rglob("*")) if p.is_file()}
