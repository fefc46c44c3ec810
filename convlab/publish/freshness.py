"""What an executed lesson depended on (its manifest), and whether that still holds.

A run's manifest names everything its results can depend on:

* the lesson's code cells and prose placeholders (one digest: prose edits re-run nothing),
* the values its profile set,
* the convlab code it used: every function, class and constant it reached, directly or
  through other convlab code (:mod:`convlab.publish.codegraph`), each with a digest that
  ignores comments and docstrings, as the package was when the run started, and the convlab
  modules its kernel imported (to find what the same code would reach now),
* the files it read: stored benchmark results, other lessons' stored runs, and files in the
  project that the lesson's own code opened (``files``),
* the versions of the third-party packages it imported, and Python's,
* the data it loaded (where from, and the file's fingerprint),
* the machine (``hardware``, as the kernel saw it, ``used_gpu``, and the build's
  TensorFlow-free :func:`convlab.machine.identity`), and whether its results depend on it
  (whatever measures time records so).

Checking a manifest starts no TensorFlow process: the machine is compared by
:func:`convlab.machine.identity`. Every verdict is a :class:`~convlab.publish.reasons.Reason`.

Two places keep runs, and they judge a manifest differently (:func:`check`):

* the **quick cache** (``strict``): any difference means the run must be made again;
* the **store of full runs** (not strict): a run made elsewhere, with other library
  versions or another copy of the data, is still that run. Those differences are facts about
  it, listed (``convlab list``) and shown on its page, never a reason to re-run it. Only the
  lesson's code, its profile values, the convlab code it used and the files it read
  make a store entry stale.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from convlab import machine
from convlab.data import DataError, fingerprint, locate
from convlab.publish import codegraph, environment
from convlab.publish.execute import Execution
from convlab.publish.profile import Profile
from convlab.publish.project import Lesson
from convlab.publish.reasons import Reason, Why

SCHEMA = "convlab-run/3"


@dataclass(frozen=True)
class Verdict:
    """``stale``: why the run must be made again (``None``: it still holds);
    ``differences``: what differs from the run without making it stale."""

    stale: Reason | None
    differences: list[Reason] = field(default_factory=list)


def _version(distribution: str) -> str:
    if distribution == "python":
        import platform

        return platform.python_version()
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def package_versions(top_level_modules: list[str]) -> dict[str, str]:
    """``{distribution: version}`` for the third-party modules a run imported, and Python.

    ``top_level_modules`` are import names (``matplotlib``, ``skimage``); the standard library
    and convlab itself are left out."""
    owners = metadata.packages_distributions()
    versions = {"python": _version("python")}
    for module in top_level_modules:
        for distribution in owners.get(module, []):
            if distribution.lower() != "convlab":
                versions[distribution] = _version(distribution)
    return dict(sorted(versions.items()))


def _portable(path: str, root: Path) -> str:
    """``path`` relative to the project when it lies beside or in it (no machine paths)."""
    try:
        relative = os.path.relpath(path, root)
    except ValueError:
        return path
    return path if relative.startswith("../" * 3) else relative


def _absolute(path: str, root: Path) -> Path:
    return Path(path) if os.path.isabs(path) else (root / path).resolve()


def manifest(lesson: Lesson, profile: Profile, run: Execution, root: Path) -> dict[str, Any]:
    """The manifest of ``run``, an execution of ``lesson`` under ``profile`` in project ``root``."""
    # The source as it ran (read once when execution started), and the package as it was then.
    closure = codegraph.closure(list(run.code_cells), sorted(run.modules), sources=run.sources)
    data = [{**source, "location": _portable(source.get("location", ""), root)}
            for source in run.data]
    files = [{**stored, "location": _portable(stored["location"], root)} for stored in run.files]
    return {
        "schema": SCHEMA,
        "lesson": lesson.name,
        "profile": profile.name,
        "profile_values": profile.overrides(lesson.slug),
        "code": run.code,
        "convlab": closure.units,
        "convlab_modules": sorted(run.modules),
        "convlab_notes": closure.notes,
        "files": files,
        "packages": package_versions(run.packages),
        "data": data,
        "hardware": run.hardware,
        "used_gpu": run.used_gpu,
        "machine": machine.identity(),
        "hardware_dependent": run.hardware_dependent,
        "seconds": round(run.seconds, 1),
        "executed_at": environment.utc_now(),
        "commit": environment.git_commit(root),
        "commit_sha": environment.full_commit(root),
        "results": run.results,
        "expectations": run.expectations,
        "claims": run.claims,
        "correct": run.correct,
        # Networks the run kept (convlab.keep), stored beside the notebook; the checksum of
        # this manifest covers their digests.
        "models": [{"name": Path(file).stem, "file": file, "bytes": len(content),
                    "sha256": hashlib.sha256(content).hexdigest()}
                   for file, content in sorted(run.models.items())],
    }


def _stale_inputs(meta: dict[str, Any], lesson: Lesson, profile: Profile,
                  root: Path) -> Reason | None:
    """Why the run's own inputs (code, profile, convlab code, files read) no longer hold."""
    if meta.get("schema") != SCHEMA:
        return Reason(Why.SCHEMA, "it was made by another convlab (manifest schema "
                      f"{meta.get('schema')!r}, now {SCHEMA!r})", str(meta.get("schema")))
    notebook = lesson.read()
    if meta.get("code") != lesson.code_digest(notebook):
        return Reason(Why.CODE, "its code changed", lesson.name)
    if meta.get("profile_values") != profile.overrides(lesson.slug):
        return Reason(Why.PROFILE_VALUES, "its profile settings changed", profile.name)
    cells = [c.source for c in notebook.cells if c.cell_type == "code"]
    change = codegraph.compare(meta.get("convlab", {}), cells, meta.get("convlab_modules", []),
                               notes=meta.get("convlab_notes", []))
    if change is not None:
        return Reason(Why.CONVLAB, str(change), change.unit)
    for stored in meta.get("files", []):
        location = _absolute(stored["location"], root)
        now = fingerprint(location) if location.is_file() else ""
        if now != stored["fingerprint"]:
            return Reason(Why.FILE, f"{location.name} changed", stored["location"])
    return None


def _software_and_data_differences(meta: dict[str, Any], root: Path) -> list[Reason]:
    """What differs between the run's packages and data and this build's."""
    differences = []
    for distribution, version in meta.get("packages", {}).items():
        now = _version(distribution)
        if now != version:
            differences.append(Reason(Why.PACKAGE, f"{distribution} {version} in the run, "
                                      f"{now} here", distribution))
    for source in meta.get("data", []):
        recorded, dataset = source.get("location", ""), source.get("dataset", "")
        try:
            where = locate(dataset)
        except DataError:
            where = None
        if where is None or where.resolve() != _absolute(recorded, root):
            now = _portable(str(where), root) if where else "a download"
            differences.append(Reason(Why.DATA, f"{dataset} was read from {recorded}, it "
                                      f"would now come from {now}", dataset))
        elif fingerprint(where) != source.get("fingerprint"):
            differences.append(Reason(Why.DATA, f"the {dataset} data in {recorded} changed",
                                      dataset))
    return differences


def _machine_difference(meta: dict[str, Any]) -> Reason | None:
    """``made on X; this machine is Y``, or ``None`` on the run's own machine."""
    here = machine.identity()
    if meta.get("machine") == here:
        return None
    return Reason(Why.MACHINE, f"made on {meta.get('hardware')}; this machine is {here}", here)


def check(meta: dict[str, Any], lesson: Lesson, profile: Profile, root: Path, *,
          strict: bool) -> Verdict:
    """Whether the run ``meta`` describes still stands for ``lesson`` under ``profile``.

    ``strict`` (the quick cache): any difference in packages, data or, for a lesson whose
    results depend on it, the machine makes it stale. Otherwise (the store) those are only
    listed in :attr:`Verdict.differences`."""
    stale = _stale_inputs(meta, lesson, profile, root)
    if stale is not None:
        return Verdict(stale)
    differences = _software_and_data_differences(meta, root)
    if strict and differences:
        return Verdict(differences[0])
    other = _machine_difference(meta)
    if strict and other and meta.get("hardware_dependent"):
        return Verdict(Reason(Why.MACHINE, "its results depend on the machine, and it was "
                              f"{other.text}", other.subject))
    return Verdict(None, differences + ([other] if other else []))
