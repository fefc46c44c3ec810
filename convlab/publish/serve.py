"""``convlab serve``: the site on localhost, re-rendered as an author saves a lesson.

``mkdocs serve`` shows the pages and reloads the browser when ``docs/`` changes; this module
watches ``lessons/*.py`` and, when one is saved, brings its page up to date through the
cache: a prose edit only re-renders the page (about a second), a code edit re-executes that
lesson alone. The pages and the results page are written by the build's own steps
(:func:`convlab.publish.pipeline.run_lessons`, then
:func:`convlab.publish.pipeline.render_docs`).
"""

from __future__ import annotations

import subprocess
import sys
import time
from urllib.parse import urlparse

from convlab.publish import settings
from convlab.publish.lock import build_lock
from convlab.publish.pipeline import Reporter, render_docs, run_lessons
from convlab.publish.profile import Profile, ProfileError
from convlab.publish.progress import ConsoleReporter
from convlab.publish.project import Project, ProjectError
from convlab.publish.site import SiteError

POLL_S = 0.5


def _mtimes(project: Project) -> dict[str, float]:
    return {lesson.name: lesson.path.stat().st_mtime_ns for lesson in project.lessons()}


def refresh(project: Project, profile: Profile, reporter: Reporter | None = None) -> list[str]:
    """Execute what the cache lacks and re-render every page and the results page, as the
    build does; the names of failed lessons.

    A failing lesson keeps its previous page (and the results page its previous results); its
    error is printed, not raised, so that the preview keeps running while the author fixes
    it."""
    with build_lock(project.cache_dir):
        outcomes = run_lessons(project, profile, reporter=reporter)
        for failed in (o for o in outcomes if o.error):
            print(failed.error, file=sys.stderr)
        render_docs(project, outcomes, profile)
    return [o.lesson.name for o in outcomes if o.error]


def url(project: Project, port: int) -> str:
    """Where ``mkdocs serve`` shows the site: localhost, under the path of ``site_url``."""
    path = urlparse(settings.mkdocs_settings(project.mkdocs_yml).site_url or "/").path or "/"
    return f"http://127.0.0.1:{port}{path}"


def serve(project: Project, profile: Profile, *, port: int = 8000) -> None:
    """Render, start ``mkdocs serve`` on 127.0.0.1:``port``, and re-render on every save."""
    reporter = ConsoleReporter()
    refresh(project, profile, reporter)
    command = [sys.executable, "-m", "mkdocs", "serve", "--livereload",
               "--dev-addr", f"127.0.0.1:{port}", "--config-file", str(project.mkdocs_yml)]
    server = subprocess.Popen(command, cwd=project.root)
    print(f"serving {url(project, port)} ; edit lessons/*.py and the page follows "
          "(Ctrl-C stops)", file=sys.stderr)
    seen = _mtimes(project)
    try:
        while server.poll() is None:
            time.sleep(POLL_S)
            now = _mtimes(project)
            if now != seen:
                seen = now
                try:
                    refresh(project, profile, reporter)
                # what the build's steps raise for the checkout as it is: a profile naming a
                # renamed lesson, a lesson without its title, a run that cannot be rendered
                except (ProfileError, ProjectError, SiteError) as err:
                    print(f"not re-rendered: {err}", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=10)
