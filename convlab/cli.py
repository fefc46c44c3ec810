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

from convlab.profile import DEFAULT_PROFILE, ProfileError, available_profiles, load_profile
from convlab.publish import environment, repository, results
from convlab.publish.cache import Cache, key_parts
from convlab.publish.lock import build_lock
from convlab.publish.outcome import Outcome
from convlab.publish.pipeline import BuildFailed, build, run_lessons
from convlab.publish.progress import ConsoleReporter, console
from convlab.publish.project import Project, ProjectError
from convlab.publish.site import SiteError

EPILOG = """\
examples:
  convlab build                    build site/ with the quick profile (cached lessons reused)
  convlab build --profile full     each lesson's own, tutorial-sized run (meant for a GPU)
  convlab run 02                   execute lesson 02 now (and cache the result)
  convlab serve                    the site on localhost; saving a lesson re-renders its page
  convlab list                     which lessons are cached, and why the others would run
  convlab results                  each cached lesson's results beside the tutorials' figures
  convlab results --json           the same as results.json (schema in convlab/publish/results.py)
  convlab results --compare site-old/ --fail-on-regression
                                   what moved since another build; exit 1 if worse beyond tolerance
  convlab clean                    empty the execution cache

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

    p = commands.add_parser("build", help="execute what the cache lacks, then build site/")
    _profile_arg(p)
    p.add_argument("--force", action="store_true", help="re-execute every lesson")
    p.add_argument("--no-mkdocs", action="store_true",
                   help="execute and render the pages, but skip mkdocs")
    p.add_argument("--publish", action="store_true",
                   help="a build to deploy: refuse while repo_url in mkdocs.yml is the "
                        "placeholder")

    p = commands.add_parser("run", help="execute one lesson now (and cache its result)")
    p.add_argument("lesson", help="lesson name, number or path, e.g. 02 or 02_dense_baseline")
    _profile_arg(p)

    p = commands.add_parser("serve", help="serve the site locally and re-render edited lessons")
    _profile_arg(p)
    p.add_argument("--port", type=int, default=8000, help="port on localhost (default 8000)")

    p = commands.add_parser("list", help="list lessons and whether each is cached")
    _profile_arg(p)

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

    p = commands.add_parser("clean", help="delete cached executions")
    p.add_argument("--profile", default=None, help="only this profile (default: all)")
    return parser


def _results(project: Project, args: argparse.Namespace, out: Console) -> int:
    """``convlab results``: the table, its JSON, or a comparison with another build."""
    profile = load_profile(args.profile)
    cache = Cache(project.cache_dir)
    outcomes = []
    for lesson in project.lessons():
        entry, reason = cache.lookup(lesson.name, profile.name, key_parts(lesson, profile))
        if entry is not None:
            outcomes.append(Outcome(lesson, entry, True, reason))
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
    table = Table("lesson", "result", f"this build ({profile.name})", "original tutorial",
                  "difference")
    for row in results.table_rows(data):
        table.add_row(*row)
    out.print(table if table.row_count else
              f"no cached results for the {profile.name} profile: run `convlab build`")
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # a kill (SIGTERM) cleans up like Ctrl-C: kernel stopped, no debris


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``convlab`` command; returns the exit status."""
    args = _parser().parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    out, err = console(), console(stderr=True)
    try:
        project = Project.find()
        if args.command == "build":
            profile = load_profile(args.profile)
            start = time.perf_counter()
            outcomes = build(project, profile, force=args.force, reporter=ConsoleReporter(),
                             mkdocs=not args.no_mkdocs, publish=args.publish)
            ran = sum(not o.from_cache for o in outcomes)
            where = "docs/ rendered" if args.no_mkdocs else f"site built in {project.site_dir}"
            err.print(f"{where} ({profile.name} profile): {ran} of {len(outcomes)} lessons "
                      f"executed, {time.perf_counter() - start:.1f} s")
        elif args.command == "run":
            profile = load_profile(args.profile)
            lesson = project.lesson(args.lesson)
            with build_lock(project.cache_dir):
                [outcome] = run_lessons(project, profile, [lesson], force=True,
                                        reporter=ConsoleReporter())
            if outcome.error:
                raise BuildFailed(outcome.error)
            assert outcome.entry is not None
            for result in outcome.entry.meta.get("results", []):
                out.print(f"{result['name']}: {results.show(result)}")
            print(f"executed notebook: {outcome.entry.path / 'notebook.ipynb'}")
        elif args.command == "serve":
            from convlab.publish.serve import serve

            serve(project, load_profile(args.profile), port=args.port)
        elif args.command == "list":
            profile = load_profile(args.profile)
            cache = Cache(project.cache_dir)
            table = Table("lesson", f"cache ({profile.name} profile)")
            for lesson in project.lessons():
                _, reason = cache.lookup(lesson.name, profile.name, key_parts(lesson, profile))
                table.add_row(lesson.name, reason if reason == "cached" else f"would run: {reason}")
            out.print(table)
        elif args.command == "results":
            return _results(project, args, out)
        elif args.command == "clean":
            count = Cache(project.cache_dir).clear(args.profile)
            out.print(f"removed {count} cached lesson execution(s) from {project.cache_dir}")
    except (ProjectError, ProfileError, results.ResultsError,
            repository.RepositoryError) as error:
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
