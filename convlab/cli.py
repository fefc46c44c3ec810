"""The ``convlab`` command: build the site, run one lesson, list lessons and results, clean.

Run ``convlab --help`` (or ``convlab COMMAND --help``) for the options.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections.abc import Sequence

from rich.markup import escape
from rich.table import Table

from convlab.profile import DEFAULT_PROFILE, ProfileError, available_profiles, load_profile
from convlab.publish.cache import Cache, key_parts
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
  convlab results                  the numbers each cached lesson measured
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

    p = commands.add_parser("run", help="execute one lesson now (and cache its result)")
    p.add_argument("lesson", help="lesson name, number or path, e.g. 02 or 02_dense_baseline")
    _profile_arg(p)

    p = commands.add_parser("serve", help="serve the site locally and re-render edited lessons")
    _profile_arg(p)
    p.add_argument("--port", type=int, default=8000, help="port on localhost (default 8000)")

    p = commands.add_parser("list", help="list lessons and whether each is cached")
    _profile_arg(p)

    p = commands.add_parser("results", help="show the results recorded by cached lessons")
    p.add_argument("--profile", default=None, help="only this profile (default: all)")

    p = commands.add_parser("clean", help="delete cached executions")
    p.add_argument("--profile", default=None, help="only this profile (default: all)")
    return parser


def _format(result: dict) -> str:
    value = result.get("value")
    try:
        return result.get("fmt", "{}").format(value)
    except (ValueError, TypeError):
        return str(value)


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
                             mkdocs=not args.no_mkdocs)
            ran = sum(not o.from_cache for o in outcomes)
            where = "docs/ rendered" if args.no_mkdocs else f"site built in {project.site_dir}"
            err.print(f"{where} ({profile.name} profile): {ran} of {len(outcomes)} lessons "
                      f"executed, {time.perf_counter() - start:.1f} s")
        elif args.command == "run":
            profile = load_profile(args.profile)
            lesson = project.lesson(args.lesson)
            [outcome] = run_lessons(project, profile, [lesson], force=True,
                                    reporter=ConsoleReporter())
            if outcome.error:
                raise BuildFailed(outcome.error)
            assert outcome.entry is not None
            for result in outcome.entry.meta.get("results", []):
                out.print(f"{result['name']}: {_format(result)}")
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
            table = Table("profile", "lesson", "quantity", "measured", "reference", "executed")
            for entry in Cache(project.cache_dir).entries(args.profile):
                meta = entry.meta
                for result in meta.get("results", []):
                    ref = result.get("reference")
                    ref_text = "" if ref is None else _format({**result, "value": ref})
                    table.add_row(meta["profile"], meta["lesson"], result["name"],
                                  _format(result), ref_text, meta.get("executed_at", ""))
            out.print(table if table.row_count else "no results cached yet: run `convlab build`")
        elif args.command == "clean":
            count = Cache(project.cache_dir).clear(args.profile)
            out.print(f"removed {count} cached lesson execution(s) from {project.cache_dir}")
    except (ProjectError, ProfileError) as error:
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
