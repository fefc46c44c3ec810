"""Turn executed lessons into site pages and downloads, then run mkdocs.

For each lesson, the page is the lesson's *current* notebook (so prose edits show without
re-running) with the outputs and prose values of its cached execution, plus a box saying how
the page was made and where to download it. Written under ``docs/`` (generated folders, never
edited by hand):

* ``docs/lessons/<slug>.ipynb``: the page, rendered by mkdocs-jupyter at ``lessons/<slug>.html``
  (``lessons/<slug>/`` with mkdocs' directory URLs);
* ``docs/downloads/NN_slug.py`` and ``.ipynb``: what a reader downloads or opens in Colab: the
  same run, with a first cell that installs convlab at the commit that built the page, and
  links to other lessons pointing at the published site.
"""

from __future__ import annotations

import ast
import html
import os
import pprint
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jupytext
import nbformat

from convlab.claims import SYMBOLS, WORDS, Status, anchor
from convlab.publish import api_links, placeholders, settings
from convlab.publish.links import LinkError, require_intact
from convlab.publish.outcome import CACHE, STORE, Outcome
from convlab.publish.profile import load_profile
from convlab.publish.project import (
    INJECTED_TAG,
    LESSON_LINK,
    PAGES,
    Lesson,
    Project,
    page_url,
    parameters_cell,
)
from convlab.settings import FULL_PROFILE, QUICK_PROFILE

DOWNLOADS = "downloads"
INSTALL_TAG = "convlab-install"
PROVENANCE_TAG = "convlab-provenance"
CHECKS_TAG = "convlab-checks"
BANNER_TAG = "convlab-claims-banner"
COMPARE_TAG = "convlab-compare"
# The heading under which a lesson states its expectations (the cells after it, to the next
# Markdown cell): on the page, a list of what was checked and how it came out instead.
CHECKS_HEADING = re.compile(r"^#{2,3} What this page checks\s*$", re.MULTILINE)
REMOVE_TAG = "remove-cell"  # mkdocs.yml: mkdocs-jupyter leaves such cells off the page


class SiteError(RuntimeError):
    """The site could not be rendered or mkdocs failed; the message says why."""


def github_repo(repo_url: str) -> str | None:
    """``owner/name`` of a GitHub repository URL, else ``None``."""
    match = re.fullmatch(r"https://github\.com/([\w.-]+/[\w.-]+?)/?", repo_url or "")
    return match.group(1) if match else None


def merge_outputs(
    lesson: Lesson, current: nbformat.NotebookNode, executed: nbformat.NotebookNode
) -> nbformat.NotebookNode:
    """``current`` (the lesson as it is now) with the outputs and prose values of ``executed``.

    Both must have the same code cells and placeholders: the cache key guarantees it for a
    valid entry. The cell the profile injected comes with the run. Every code cell must have
    run; a page never silently lacks its outputs."""
    injected = next((c for c in executed.cells if INJECTED_TAG in c.metadata.get("tags", [])),
                    None)
    parameters = parameters_cell(current)
    if injected is not None and parameters is not None:
        current.cells.insert(current.cells.index(parameters) + 1, nbformat.from_dict(injected))
    new = [c for c in current.cells if c.cell_type == "code"]
    old = [c for c in executed.cells if c.cell_type == "code"]
    if [c.source.strip() for c in new] != [c.source.strip() for c in old]:
        raise SiteError(f"{lesson.name}: the cached run does not match the lesson's code cells")
    for number, (target, source) in enumerate(zip(new, old, strict=True), start=1):
        if source.get("execution_count") is None:
            raise SiteError(f"{lesson.name}: code cell {number} has no recorded execution")
        target.outputs = source.outputs
        target.execution_count = source.execution_count
    prose = [c for c in current.cells if c.cell_type == "markdown" and placeholders.find(c.source)]
    ran = [c for c in executed.cells if c.cell_type == "markdown"
           and "values" in c.get("metadata", {}).get("convlab", {})]
    if len(prose) != len(ran):
        raise SiteError(f"{lesson.name}: the cached run has values for {len(ran)} Markdown "
                        f"cells, the lesson has placeholders in {len(prose)}: re-run it")
    for target, source in zip(prose, ran, strict=True):
        try:
            target.source = placeholders.fill(target.source, source.metadata.convlab["values"])
        except placeholders.PlaceholderError as err:
            raise SiteError(f"{lesson.name}: {err}") from None
    current.metadata.update(executed.metadata)
    return current


def _page_origin(outcome: Outcome) -> str:
    """The box's line on where this page's run comes from."""
    meta = outcome.entry.meta if outcome.entry else {}
    if outcome.source == STORE:
        text = ("a full run from the course's store of runs (<code>runs/full/</code>), "
                f"made {html.escape(meta.get('executed_at', '?'))}: nothing it used changed "
                "since")
        if outcome.differences:
            text += " (this build differs from it in: " + html.escape(
                "; ".join(map(str, outcome.differences))) + ")"
        return text
    if outcome.source == CACHE:
        return "reused from the execution cache (nothing it depends on changed)"
    return "executed in this build"


def _cpu_run_note(meta: dict[str, Any]) -> str | None:
    """For a stored full run made without a GPU: what a GPU run will replace."""
    if meta.get("used_gpu", False):
        return None
    subset = [d.get("description", d.get("dataset", "?")).rstrip(". ")
              for d in meta.get("data", []) if d.get("subset")]
    data = f", with {'; '.join(subset)}" if subset else ""
    return (f"this full run was made on a CPU{data}; the docs workflow replaces it with a "
            "run on a GPU" + (" and the full dataset" if subset else ""))


def provenance_html(lesson: Lesson, outcome: Outcome, repo: str | None) -> str:
    """The box at the top of a lesson page: how, where and from what data it was built."""
    meta = outcome.entry.meta if outcome.entry else {}
    profile = outcome.profile
    packages = meta.get("packages", {})
    e = html.escape
    overrides = meta.get("profile_values", {})
    size = (", ".join(f"{k} = {v!r}" for k, v in overrides.items()) + " (shrunk by the profile)"
            if overrides else "the lesson's own values")
    software = ", ".join(f"{name} {packages[key]}" for key, name in (
        ("tensorflow", "TensorFlow"), ("keras", "Keras"), ("numpy", "NumPy"),
        ("python", "Python")) if key in packages)
    facts = [
        ("Profile", f"<strong>{e(profile.name)}</strong>: {e(profile.description)}; "
                    f"{e(size)}"),
        ("Hardware", e(meta.get("hardware", "unknown"))),
        ("Software", e(software or "unknown")),
        ("Run", f"{meta.get('seconds', 0):.0f} s wall time, "
                f"{e(meta.get('executed_at', '?'))}, "
                f"commit <code>{e(meta.get('commit', '?'))}</code>"),
        ("This page", _page_origin(outcome)),
    ]
    note = _cpu_run_note(meta) if outcome.source == STORE or profile.name == FULL_PROFILE else None
    if note:
        facts.append(("Note", e(note)))
    if meta.get("hardware_dependent"):
        facts.append(("Timings", f"measured on {e(meta.get('hardware', '?'))}, the machine of "
                                 "this run: they are that machine's, not the reader's"))
    for source in meta.get("data", []):
        facts.append(("Data", e(source.get("description", source.get("dataset", "?")))))
    checks = meta.get("expectations", [])
    if checks:
        passed = sum(c["status"] == "passed" for c in checks)
        skipped = sum(c["status"] == "skipped" for c in checks)
        facts.append(("Checks", f"{passed} expectation(s) checked and met under this profile"
                                + (f", {skipped} for other profiles skipped" if skipped else "")))
    kept = meta.get("models", [])
    if kept:
        facts.append(("Kept", "trained network(s) stored with this run, for later lessons: "
                              + ", ".join(f"<code>{e(m['name'])}</code> "
                                          f"({m['bytes'] / 1e6:.2f} MB)" for m in kept)))
    made = meta.get("claims", [])
    if made:
        held = sum(c["status"] == Status.HOLDS for c in made)
        facts.append(("Claims", f"{held} of {len(made)} claim(s) in the prose hold in this run"
                                + ("" if held == len(made) else
                                   f"; {len(made) - held} not shown by this short run")))
    links = [
        f'<a href="../../{DOWNLOADS}/{lesson.name}.py" download>lesson (.py)</a>',
        f'<a href="../../{DOWNLOADS}/{lesson.name}.ipynb" download>executed notebook (.ipynb)</a>',
    ]
    if repo:
        colab = (f"https://colab.research.google.com/github/{repo}/blob/gh-pages/"
                 f"{DOWNLOADS}/{lesson.name}.ipynb")
        links.append(f'<a href="{colab}">Open in Colab</a>')
    facts.append(("Get it", " · ".join(links)))
    rows = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in facts)
    return (
        '<div class="admonition info convlab-provenance">'
        '<p class="admonition-title">How this page was built</p>'
        f"<table>{rows}</table></div>"
    )


def _shown(value: Any, fmt: str | None) -> str:
    """A measured value as the course prints it (the result's own format, when it has one)."""
    if not isinstance(value, int | float):
        return html.escape(str(value))
    if fmt:
        try:
            return html.escape(fmt.format(value))
        except (ValueError, TypeError):
            pass
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:.4g}"


def claims_markdown(meta: dict[str, Any]) -> str | None:
    """The run's checked claims as a list, each with an anchor the prose's marks link to, its
    status and its evidence; ``None`` when the run declared none."""
    made = meta.get("claims", [])
    if not made:
        return None
    held = sum(c["status"] == Status.HOLDS for c in made)
    lines = [f"**Claims.** The prose makes {len(made)} claim(s) about this run, each marked "
             "where it is made; the build checked every one against the run "
             f"({held} hold{'s' if held == 1 else ''}). A full run whose claim did not hold "
             "would have no page.", ""]
    for c in made:
        status = Status(c["status"])
        lines.append(f'- <span id="{anchor(c["name"])}"></span>{SYMBOLS[status]} '
                     f"{html.escape(c['statement'])}: **{WORDS[status]}** "
                     f"({html.escape(c['evidence'])})")
    return "\n".join(lines)


def checks_markdown(meta: dict[str, Any]) -> str | None:
    """The run's claims (:func:`claims_markdown`) and expectations as lists a reader can read:
    each rule, whether it was met, and the measured value; expectations of another profile
    listed last as not checked. ``None`` when the run recorded neither."""
    parts = [text for text in (claims_markdown(meta),) if text]
    checks = meta.get("expectations", [])
    if checks:
        formats = {r.get("name"): r.get("fmt") for r in meta.get("results", [])
                   if isinstance(r, dict)}
        met = [c for c in checks if c.get("status") == "passed"]
        other = [c for c in checks if c.get("status") != "passed"]
        lines = [f"**Expectations.** The build checked {len(met)} expectation(s) on this run's "
                 "results; had one failed, there would be no page. Each rule, and the value "
                 "this run measured:", ""]
        lines += [f"- {html.escape(c['rule'])}: **met** "
                  f"({_shown(c.get('value'), formats.get(c['name']))})" for c in met]
        if other:
            lines += ["", "Not checked here: they are for another profile's run size.", ""]
            lines += [f"- {html.escape(c['rule'])}" for c in other]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) if parts else None


def present_checks(notebook: nbformat.NotebookNode, meta: dict[str, Any]) -> None:
    """Under the heading "What this page checks", show the lists of :func:`checks_markdown`
    in place of the code cells that declare the expectations (they stay in the downloads); a
    page without that heading gets it at the end, so every claim's mark has its entry."""
    listing = checks_markdown(meta)
    if listing is None:
        return
    headings = [i for i, cell in enumerate(notebook.cells)
                if cell.cell_type == "markdown" and CHECKS_HEADING.search(cell.source)]
    if not headings:
        notebook.cells.append(nbformat.v4.new_markdown_cell("## What this page checks"))
        headings = [len(notebook.cells) - 1]
    index = headings[0]
    for cell in notebook.cells[index + 1:]:
        if cell.cell_type != "code":
            break
        tags = cell.metadata.setdefault("tags", [])
        if REMOVE_TAG not in tags:
            tags.append(REMOVE_TAG)
    # Outside the search index (every page loads it): the same words are in the prose.
    notebook.cells.insert(index + 1, nbformat.v4.new_markdown_cell(
        f'<div class="convlab-checks" data-search-exclude>\n\n{listing}\n\n</div>',
        metadata={"tags": [CHECKS_TAG]}))


def _declares_claims_only(source: str) -> bool:
    """Whether a code cell holds nothing but ``claim(...)`` calls (blank lines and comments
    aside)."""
    try:
        statements = ast.parse(source).body
    except SyntaxError:
        return False
    return bool(statements) and all(
        isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)
        and isinstance(s.value.func, ast.Name) and s.value.func.id == "claim"
        for s in statements)


def present_claims(notebook: nbformat.NotebookNode) -> None:
    """Leave off the page the code cells that only declare claims: the page shows each claim
    as its mark in the prose and its entry in "What this page checks" (the downloads keep
    the cells, and their printed lines)."""
    for cell in notebook.cells:
        if cell.cell_type == "code" and _declares_claims_only(cell.source):
            tags = cell.metadata.setdefault("tags", [])
            if REMOVE_TAG not in tags:
                tags.append(REMOVE_TAG)


def claims_banner(meta: dict[str, Any], profile_name: str) -> str | None:
    """A banner for the top of a page whose run did not show some of its prose's claims (a
    short run: the prose is written for the full one); ``None`` when every claim holds."""
    made = meta.get("claims", [])
    missing = [c for c in made if c["status"] != Status.HOLDS]
    if not missing:
        return None
    return ('<div class="admonition warning convlab-claims-banner" role="note" '
            'data-search-exclude>'
            '<p class="admonition-title">A short run</p>'
            f"<p>This page shows a run of the <strong>{html.escape(profile_name)}</strong> "
            f"profile, smaller than the lesson's own. The prose is written for the full run: "
            f"{len(missing)} of its {len(made)} checked claims are <strong>not shown by this "
            f"short run</strong> and are marked {SYMBOLS[Status.NOT_SHOWN]} where they are "
            "made. The course's full runs show them all.</p></div>")


def compare_cell(lesson: Lesson, meta: dict[str, Any]) -> nbformat.NotebookNode | None:
    """The last cell of a download: run after the lesson, it shows the reader's claims and
    results beside the published run's (:func:`convlab.compare.compare_with_page`)."""
    if not meta.get("claims") and not meta.get("results"):
        return None
    page = {"lesson": lesson.name, "profile": meta.get("profile", "?"),
            "hardware": meta.get("hardware", "unknown"),
            "claims": [{k: c.get(k) for k in ("name", "statement", "status", "evidence")}
                       for c in meta.get("claims", [])],
            "results": [{k: r.get(k) for k in ("name", "value", "fmt", "reference")}
                        for r in meta.get("results", [])]}
    source = ("# Compare your run: after running the cells above, this shows each claim's status\n"
              "# and each result in your run beside those of the published page's run.\n"
              "from convlab.compare import compare_with_page\n\n"
              f"compare_with_page({pprint.pformat(page, width=96, sort_dicts=False)})")
    return nbformat.v4.new_code_cell(source, metadata={"tags": [COMPARE_TAG]})


def install_cell(repo_url: str, commit: str | None) -> nbformat.NotebookNode:
    """The first cell of a download: install convlab at the commit that built the page, or,
    where convlab is already installed from another commit, say so once."""
    ref = f"@{commit}" if commit else ""
    where = f"commit {commit[:10]}" if commit else "the repository's default branch"
    source = (
        f"# Outside the course repository (Colab, a download)? This installs convlab at {where},\n"
        "# the code that built this notebook's published page.\n"
        "import importlib.metadata, importlib.util, json, subprocess, sys  # noqa: E401\n"
        f"built_with = {commit!r}\n"
        'if importlib.util.find_spec("convlab") is None:\n'
        f'    package = "convlab @ git+{repo_url}{ref}"\n'
        '    print("installing", package)\n'
        '    subprocess.run([sys.executable, "-m", "pip", "install", "-q", package], check=True)\n'
        "else:\n"
        '    origin = importlib.metadata.distribution("convlab").read_text("direct_url.json")\n'
        '    installed = json.loads(origin or "{}").get("vcs_info", {}).get("commit_id")\n'
        "    if built_with and installed != built_with:\n"
        "        here = installed[:10] if installed else 'a local copy'\n"
        '        print(f"Note: this notebook was built with convlab {built_with[:10]}, but the "\n'
        '              f"convlab installed here is {here}: results may differ from the page.")'
    )
    return nbformat.v4.new_code_cell(source, metadata={"tags": [INSTALL_TAG]})


def published_links(notebook: nbformat.NotebookNode, site_url: str,
                    directory_urls: bool = True) -> None:
    """Point links between lessons (``../slug/``) at the published pages (``lessons/slug/``,
    or ``lessons/slug.html`` for a site built without directory URLs)."""
    base = site_url.rstrip("/") + "/"

    def published(match: re.Match[str]) -> str:
        return f"]({base}{page_url(f'{PAGES}/{match.group(1)}', directory_urls)}" \
               f"{match.group(2) or ''})"

    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = LESSON_LINK.sub(published, cell.source)


def quick_run_hint(notebook: nbformat.NotebookNode, quick: dict[str, Any]) -> None:
    """Say, in the parameters cell of a download, which values make the quick build's run."""
    cell = parameters_cell(notebook)
    if cell is None or not quick:
        return
    values = "; ".join(f"{name} = {value!r}" for name, value in sorted(quick.items()))
    cell.source = (cell.source.rstrip() + "\n# For the small, minutes-long run of the course's "
                   f"quick build, set: {values}")


def _insert_after_title(notebook: nbformat.NotebookNode, cell: nbformat.NotebookNode) -> None:
    first = notebook.cells[0] if notebook.cells else None
    at = 1 if first is not None and first.cell_type == "markdown" else 0
    notebook.cells.insert(at, cell)


def _renumber(notebook: nbformat.NotebookNode) -> None:
    """Execution counts 1, 2, 3, ... in cell order (as a reader running it would see them)."""
    count = 0
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.get("execution_count") is not None:
            count += 1
            cell.execution_count = count
            for output in cell.outputs:
                if "execution_count" in output:
                    output["execution_count"] = count


def render(project: Project, outcomes: list[Outcome], *, prune: bool = True) -> None:
    """Write every lesson page and download from the build's outcomes (all must have entries).

    ``prune`` removes the pages of lessons that are not among ``outcomes`` (removed or
    renamed lessons); the live preview keeps a failing lesson's last page instead."""
    config = settings.mkdocs_settings(project.mkdocs_yml)
    repo_url, site_url = config.repo_url, config.site_url
    pages, downloads = project.docs_dir / PAGES, project.docs_dir / DOWNLOADS
    for folder in (pages, downloads):
        folder.mkdir(parents=True, exist_ok=True)
    written: set[Path] = set()
    for outcome in outcomes:
        lesson, entry = outcome.lesson, outcome.entry
        if entry is None:
            raise SiteError(f"{lesson.name} has no executed notebook to render")
        meta = entry.meta
        notebook = merge_outputs(lesson, lesson.read(), entry.notebook())
        _renumber(notebook)
        nbformat.validate(notebook)

        download = nbformat.from_dict(notebook)
        download.cells.insert(0, install_cell(repo_url, meta.get("commit_sha")))
        compare = compare_cell(lesson, meta)
        if compare is not None:
            download.cells.append(compare)
        published_links(download, site_url, config.directory_urls)
        quick_run_hint(download, load_profile(QUICK_PROFILE).overrides(lesson.slug))
        _write_if_changed(downloads / f"{lesson.name}.ipynb", nbformat.writes(download), written)
        text = jupytext.writes(_without_outputs(download), fmt="py:percent")
        _write_if_changed(downloads / f"{lesson.name}.py", text, written)

        present_checks(notebook, meta)
        present_claims(notebook)
        box = provenance_html(lesson, outcome, github_repo(repo_url))
        banner = claims_banner(meta, outcome.profile.name)
        if banner:
            _insert_after_title(notebook, nbformat.v4.new_markdown_cell(
                banner, metadata={"tags": [BANNER_TAG]}))
        _insert_after_title(notebook, nbformat.v4.new_markdown_cell(
            box, metadata={"tags": [PROVENANCE_TAG]}))
        api = api_links.reference_cell(notebook)
        if api is not None and (project.docs_dir / f"{api_links.REFERENCE}.md").is_file():
            notebook.cells.append(api)
        _write_if_changed(pages / f"{lesson.slug}.ipynb", nbformat.writes(notebook), written)
    for folder in (pages, downloads) if prune else ():  # removed or renamed lessons
        for stale in set(folder.iterdir()) - written:
            stale.unlink()


def _write_if_changed(path: Path, text: str, written: set[Path]) -> None:
    """Write ``text`` unless the file already holds it (so a live preview reloads only it)."""
    written.add(path)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _without_outputs(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    bare = nbformat.from_dict(notebook)
    for cell in bare.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    bare.metadata.pop("jupytext", None)
    return bare


def run_mkdocs(project: Project) -> None:
    """``mkdocs build --strict`` into a temporary folder, then swap it in as ``site/``."""
    staging = project.root / ".site-staging"
    shutil.rmtree(staging, ignore_errors=True)
    # No --quiet: it hides warnings from the counter that makes --strict fail the build.
    command = [sys.executable, "-m", "mkdocs", "build", "--strict",
               "--config-file", str(project.mkdocs_yml), "--site-dir", str(staging)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(command, cwd=project.root, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise SiteError(f"mkdocs build --strict failed:\n{done.stdout}{done.stderr}".rstrip())
    try:
        require_intact(staging, settings.mkdocs_settings(project.mkdocs_yml).site_url)
    except LinkError as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise SiteError(str(err)) from None
    previous = project.root / ".site-previous"
    shutil.rmtree(previous, ignore_errors=True)
    if project.site_dir.exists():
        project.site_dir.rename(previous)
    staging.rename(project.site_dir)
    shutil.rmtree(previous, ignore_errors=True)
