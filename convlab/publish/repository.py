"""Where the course's repository lives: one setting, ``repo_url`` in ``mkdocs.yml``.

The install cell of every downloaded notebook, the "Open in Colab" links and the docs' header
link all read it. A fork sets its own address there and nowhere else. Until it is set, it holds
:data:`PLACEHOLDER`, an address this project does not own: quick builds and CI work with it, but
a build for publishing (``convlab build --publish``, as the deploy workflow runs it) refuses to
start, since every reader's install cell would fetch code from whoever owns that name.
"""

from __future__ import annotations

from convlab.publish import settings
from convlab.publish.project import Project

PLACEHOLDER = "https://github.com/convlab/convlab"


class RepositoryError(ValueError):
    """The repository setting is missing, or still the placeholder where that is unsafe."""


def repo_url(project: Project) -> str:
    """``repo_url`` from ``mkdocs.yml``, e.g. ``https://github.com/owner/name``."""
    url = settings.mkdocs_settings(project.mkdocs_yml).repo_url.rstrip("/")
    if not url:
        raise RepositoryError(f"{project.mkdocs_yml} has no repo_url: set it to the course "
                              "repository's address (https://github.com/OWNER/NAME)")
    return url


def check_publishable(project: Project) -> str:
    """The repository address, or :class:`RepositoryError` while it is the placeholder or
    while the checkout has no commit to pin the downloads' install cell to."""
    from convlab.publish import environment

    url = repo_url(project)
    if url == PLACEHOLDER:
        raise RepositoryError(
            f"refusing to publish: repo_url in {project.mkdocs_yml} is still the placeholder "
            f"{PLACEHOLDER}, an address this project does not own. Every published notebook "
            "installs convlab from it. Set repo_url (and repo_name) there to the repository "
            "the site is built from, then build again."
        )
    commit = environment.git_commit(project.root)
    if not environment.full_commit(project.root) or commit.endswith("+changes"):
        raise RepositoryError(
            f"refusing to publish from {project.root}: it is {commit}. Published notebooks "
            "install convlab at the commit that built them, so publish from a clean git "
            "checkout (commit or stash the changes first)."
        )
    return url
