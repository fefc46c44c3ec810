"""The ``convlab`` command: build the site, run one lesson, list lessons and results, clean.

Run ``convlab --help`` (or ``convlab COMMAND --help``) for the options.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from convlab.publish import environment, refresh, repository, results
from convlab.publish.lock import BuildRunning, build_lock
from convlab.publish.outcome import Outcome
from convlab.publish.pipeline import (
    BuildFailed,
    PublishRefused,
    build,
    choose,
    run_lessons,
    stored_run_label,
    summary,
)
from convlab.publish.profile import (
    DEFAULT_PROFILE,
    Profile,
    ProfileError,
    available_profiles,
    load_profile,
)
from convlab.publish.progress import ConsoleReporter, console
from convlab.publish.project import Lesson, Project, ProjectError
from convlab.publish.site import SiteError
from convlab.publish.store import NOTEBOOK, RunStore, full_store, quick_cache
from convlab.settings import FULL_PROFILE

EPILOG = """\
examples:
  convlab build                    build site/: stored full runs where current, the rest
                                   executed with the quick profile (or from its cache)
  convlab build --profile full     execute every lesson whose stored full run is missing or
                                   stale, and write it into runs/full/ (meant for a GPU)
  convlab run 02                   execute lesson 02 now with the quick profile (and cache it)
  convlab run 02 --profile full    refresh lesson 02's stored full run in runs/full/
  convlab serve                    the site on localhost; saving a lesson re-renders its page
  convlab list                     each lesson's stored full run and quick cache entry: current,
                                   or why it would run, and what differs from this machine
  convlab list --json              the store's entries and the plan of a refresh, as JSON
                                   (what the refresh workflow runs; convlab/publish/refresh.py)
  convlab store merge DIR...       copy entries made in other checkouts into runs/full/
  convlab results                  each cached lesson's results beside the tutorials' figures
  convlab results --json           the same as results.json (schema in convlab/publish/results.py)
  convlab results --compare site-old/ --fail-on-regression
                                   what moved since another build; exit 1 if worse beyond tolerance
  convlab clean                    empty the execution cache (never the committed store)

environment: CONVLAB_DATA_DIR (folders with local dataset copies), CONVLAB_OFFLINE=1 (never
download), CONVLAB_CACHE_DIR (where executed lessons are kept; default .convlab_cache/)."""


def _profile_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile",
        default=DEFAULT_PROFILE,
        help=f"profile name ({', '.join(available_profiles())}) or path of a .toml profile "
        f"(default: {DEFAULT_PROFILE})",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="convlab",
        description="Build and run the convlab course: every result on the site comes from "
        "executing the lessons.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("build", help="find or make every lesson's run, then build site/")
    _profile_arg(p)
    p.add_argument("--force", action="store_true",
                   help="re-execute every lesson under the profile, whatever the store of "
                        "full runs and the cache hold (with --profile full: the store's "
                        "entries are replaced)")
    p.add_argument("--no-store", action="store_true",
                   help="ignore the stored full runs: every page from the profile's own runs")
    p.add_argument("--no-mkdocs", action="store_true",
                   help="execute and render the pages, but skip mkdocs")
    p.add_argument("--publish", action="store_true",
                   help="a build to deploy: refuse while repo_url in mkdocs.yml is the "
                        "placeholder, or while a page would not be a current full run")

    p = commands.add_parser("run", help="execute one lesson now (cache it; with --profile "
                                        "full, store it in runs/full/)")
    p.add_argument("lesson", help="lesson name, number or path, e.g. 02 or 02_dense_baseline")
    _profile_arg(p)

    p = commands.add_parser("serve", help="serve the site locally and re-render edited lessons")
    _profile_arg(p)
    p.add_argument("--port", type=int, default=8000, help="port on localhost (default 8000)")

    p = commands.add_parser("list", help="each lesson's stored full run and cache entry")
    _profile_arg(p)
    p.add_argument("--check-store", action="store_true",
                   help="exit 1 if a stored full run is missing, stale or corrupt")
    p.add_argument("--json", action="store_true",
                   help="print the store's entries and the refresh plan as JSON (the lessons "
                        "to run again, in waves: a lesson reading another's stored run after it)")
    p.add_argument("--include-cpu-runs", action="store_true",
                   help="with --json: the plan also refreshes entries made without a GPU")
    p.add_argument("--lesson", action="append", metavar="LESSON",
                   help="with --json: plan the refresh of this lesson whatever its state "
                        "(repeatable; lessons reading its stored run follow)")

    p = commands.add_parser("store", help="the store of full runs: merge entries made elsewhere")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = actions.add_parser("merge", help="copy entries made in other checkouts into runs/full/ "
                                         "after checking them (all or nothing)")
    p.add_argument("entries", nargs="+", type=Path, metavar="DIR",
                   help="an entry (another checkout's runs/full/SLUG/) or a folder of them")

    p = commands.add_parser("results", help="show the results recorded by cached lessons")
    _profile_arg(p)
    p.add_argument("--json", action="store_true", help="print results.json's data instead")
    p.add_argument("--compare", metavar="OTHER",
                   help="another build: a site/ folder or a results.json file")
    p.add_argument("--tolerance", type=float, default=0.02,
                   help="allowed move: absolute for accuracies (0.02 = 2 points), relative "
                        "otherwise (default 0.02)")
    p.add_argument("--fail-on-regression", action="store_true",
                   help="with --compare: exit 1 when a result got worse beyond the tolerance")

    p = commands.add_parser("clean", help="delete cached executions (not the store)")
    p.add_argument("--profile", default=None, help="only this profile (default: all)")
    return parser


def _results(project: Project, args: argparse.Namespace, out: Console) -> int:
    """``convlab results``: the table, its JSON, or a comparison with another build."""
    profile = load_profile(args.profile)
    outcomes = [o for o in map(lambda lesson: shown_run(project, lesson, profile),
                               project.lessons()) if o is not None]
    data = results.collect(outcomes, profile, built_at=environment.utc_now())
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    if args.compare:
        moves = results.compare(results.load(Path(args.compare)), data,
                                tolerance=args.tolerance)
        for move in moves:
            out.print(move.describe())
        worse = [m for m in moves if m.worse]
        out.print(f"{len(moves)} result(s) moved, {sum(m.beyond_tolerance for m in moves)} "
                  f"beyond the tolerance, {len(worse)} of them worse")
        return 1 if worse and args.fail_on_regression else 0
    table = Table("lesson", "run", "result", "measured", "original tutorial", "difference")
    runs = {lesson["lesson"]: f"{lesson['profile']} ({lesson['source']})"
            for lesson in data["lessons"]}
    for row in results.table_rows(data):
        table.add_row(row[0], runs[row[0]], *row[1:])
    out.print(table if table.row_count else
              f"no stored or cached results for the {profile.name} profile: run "
              "`convlab build`")
    return 0


def shown_run(project: Project, lesson: Lesson, profile: Profile) -> Outcome | None:
    """The run a build with ``profile`` would show for ``lesson`` now, without executing."""
    chosen = choose(project, lesson, profile)
    return chosen if chosen.entry is not None else None


def _list(project: Project, args: argparse.Namespace, out: Console) -> int:
    """``convlab list``: each lesson's stored full run and cache entry, and what differs."""
    if args.json:
        data = refresh.listing(project, include_cpu_runs=args.include_cpu_runs, only=args.lesson)
        print(json.dumps(data, indent=2))
        return 1 if data["stale"] and args.check_store else 0
    profile = load_profile(args.profile)
    store, full = full_store(project.root), load_profile(FULL_PROFILE)
    cache = None if profile.name == FULL_PROFILE else quick_cache(project.cache_dir, profile)
    columns = ["lesson", "stored full run (runs/full/)"]
    table = Table(*columns, *([f"{profile.name} cache"] if cache else []), "differs here")
    bad: list[Lesson] = []
    for lesson in project.lessons():
        found = store.lookup(lesson, full, project.root)
        if found.entry is not None:
            stored = f"current: {stored_run_label(found.entry.meta)}"
        else:
            stored = f"would run: {found.reason}"
            bad.append(lesson)
        row = [lesson.name, stored]
        if cache is not None:
            quick = cache.lookup(lesson, profile, project.root)
            row.append("cached" if quick.entry else f"would run: {quick.reason}")
        row.append("; ".join(map(str, found.differences)))
        table.add_row(*map(escape, row))
    out.print(table)
    lessons = project.lessons()
    out.print(f"store of full runs: {len(lessons) - len(bad)} of {len(lessons)} lessons current"
              + (f"; missing or stale: {', '.join(b.name for b in bad)}" if bad else ""))
    return 1 if bad and args.check_store else 0


def _merge(project: Project, args: argparse.Namespace, out: Console) -> int:
    """``convlab store merge DIR...``: the entries merged, then what their merge made stale."""
    current = [lesson for lesson in project.lessons()
               if refresh.entry_state(project, lesson)["state"] == refresh.CURRENT]
    merged = refresh.merge(project, args.entries)
    for entry in merged:
        out.print(escape(f"merged {entry.meta['lesson']}: {stored_run_label(entry.meta)}"))
    for lesson in current:  # a reader of a replaced run
        state = refresh.entry_state(project, lesson)
        if state["state"] != refresh.CURRENT:
            out.print(escape(f"made stale by the merge: {lesson.name} ({state['reason']}); "
                             f"refresh it with `convlab run {lesson.name} --profile full`"))
    out.print(f"{len(merged)} entr{'y' if len(merged) == 1 else 'ies'} merged into "
              f"{full_store(project.root).root}; commit it")
    return 0


def _clean(project: Project, profile: str | None) -> int:
    """Delete the execution cache's entries (of one profile); how many there were."""
    folders = [project.cache_dir / profile] if profile else [
        p for p in project.cache_dir.glob("*") if p.is_dir()]
    count = 0
    for folder in folders:
        cache = RunStore(folder, strict=True, name=f"the {folder.name} execution cache")
        count += cache.clear()
    return count


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # a kill (SIGTERM) cleans up like Ctrl-C: kernel stopped, no debris


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``convlab`` command; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "list" and not args.json and (args.include_cpu_runs or args.lesson):
        parser.error("--include-cpu-runs and --lesson shape the refresh plan of --json: add --json")
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    out, err = console(), console(stderr=True)
    try:
        project = Project.find()
        if args.command == "build":
            profile = load_profile(args.profile)
            start = time.perf_counter()
            outcomes = build(project, profile, force=args.force, reporter=ConsoleReporter(),
                             mkdocs=not args.no_mkdocs, publish=args.publish,
                             use_store=not args.no_store)
            for line in summary(outcomes):
                err.print(escape(line))
            ran = sum(not o.from_cache for o in outcomes)
            where = "docs/ rendered" if args.no_mkdocs else f"site built in {project.site_dir}"
            err.print(f"{where}: {ran} of {len(outcomes)} lessons executed "
                      f"({profile.name} profile), {time.perf_counter() - start:.1f} s")
        elif args.command == "run":
            profile = load_profile(args.profile)
            lesson = project.lesson(args.lesson)
            with build_lock(project.cache_dir):
                [outcome] = run_lessons(project, profile, [lesson], force=True,
                                        use_store=False, reporter=ConsoleReporter())
            if outcome.error:
                raise BuildFailed(outcome.error)
            assert outcome.entry is not None
            for result in outcome.entry.meta.get("results", []):
                out.print(f"{result['name']}: {results.show(result)}")
            print(f"executed notebook: {outcome.entry.path / NOTEBOOK}")
        elif args.command == "serve":
            from convlab.publish.serve import serve

            serve(project, load_profile(args.profile), port=args.port)
        elif args.command == "list":
            return _list(project, args, out)
        elif args.command == "results":
            return _results(project, args, out)
        elif args.command == "store":
            return _merge(project, args, out)
        elif args.command == "clean":
            with build_lock(project.cache_dir, wait=False):
                count = _clean(project, args.profile)
            out.print(f"removed {count} cached lesson execution(s) from {project.cache_dir}; "
                      "the store of full runs (runs/full/) is kept")
    except (ProjectError, ProfileError, results.ResultsError, repository.RepositoryError,
            PublishRefused, BuildRunning, refresh.MergeError, refresh.PlanError) as error:
        err.print(f"[red]error:[/] {escape(str(error))}")
        return 2
    except (BuildFailed, SiteError) as error:
        print(f"build failed: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        err.print("interrupted: cached lessons are intact; re-run to continue")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
