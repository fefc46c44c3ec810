"""The build's settings: the environment variables ``convlab build`` reads, and ``mkdocs.yml``.

No other module of the build reads them; each is documented where it is read, below, and in
the README's table:

* ``CONVLAB_CACHE_DIR``: where executed lessons are kept, default ``.convlab_cache/`` in the
  project (:func:`cache_dir`).
* ``CONVLAB_ASSETS_DIR``: where fetched third-party files (MathJax) are kept, default
  ``convlab/assets`` in the user's cache folder (:func:`assets_dir`; that folder is
  :func:`convlab.settings.user_cache_dir`).
* ``mkdocs.yml``: the site's address (``site_url``) and the repository's (``repo_url``), parsed
  here only (:func:`mkdocs_settings`).

``CONVLAB_TEST_SITE`` and ``CONVLAB_CHROMIUM`` are the browser tests' own (tests/browser/);
the library's variables are read in :mod:`convlab.settings`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from convlab import settings

CACHE_DIR_ENV = "CONVLAB_CACHE_DIR"
ASSETS_DIR_ENV = "CONVLAB_ASSETS_DIR"
CACHE_FOLDER = ".convlab_cache"  # in the project, when CONVLAB_CACHE_DIR is unset


def cache_dir(project_root: Path) -> Path:
    """``$CONVLAB_CACHE_DIR``, else ``.convlab_cache/`` in the project at ``project_root``."""
    return Path(os.environ.get(CACHE_DIR_ENV) or project_root / CACHE_FOLDER)


def assets_dir() -> Path:
    """``$CONVLAB_ASSETS_DIR``, else ``convlab/assets`` in the user's cache folder."""
    value = os.environ.get(ASSETS_DIR_ENV)
    return Path(value) if value else settings.user_cache_dir() / "convlab" / "assets"


@dataclass(frozen=True)
class MkdocsSettings:
    """What the build reads from ``mkdocs.yml``; ``""`` where it is not set."""

    site_url: str  # where the site is published, e.g. https://owner.github.io/name/
    repo_url: str  # the course's repository, e.g. https://github.com/owner/name
    # Pages at lessons/<slug>/ (mkdocs' default) or lessons/<slug>.html (use_directory_urls:
    # false, which Material's offline plugin sets so that the site works opened from disk).
    directory_urls: bool = True


def mkdocs_settings(mkdocs_yml: Path) -> MkdocsSettings:
    """Parse ``mkdocs_yml`` (a project's ``mkdocs.yml``) for the settings the build reads."""
    import yaml

    config = yaml.safe_load(mkdocs_yml.read_text(encoding="utf-8")) or {}
    plugins = config.get("plugins") or []
    names = {next(iter(p)) if isinstance(p, dict) else str(p) for p in plugins}
    offline = "offline" in names and not any(
        isinstance(p, dict) and (p.get("offline") or {}).get("enabled") is False for p in plugins)
    directory_urls = bool(config.get("use_directory_urls", True)) and not offline
    return MkdocsSettings(site_url=str(config.get("site_url") or ""),
                          repo_url=str(config.get("repo_url") or ""),
                          directory_urls=directory_urls)
