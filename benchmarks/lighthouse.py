"""Lighthouse's four scores for the built site's pages, on its phone profile.

Usage::

    .venv/bin/python benchmarks/lighthouse.py                 # median of 3 runs per page
    .venv/bin/python benchmarks/lighthouse.py --runs 1 --gate # what .ci/run does

The site (``site/``, or ``--site``) is served on 127.0.0.1 by a server that compresses text
with gzip as GitHub Pages does (HTML, CSS, JavaScript, SVG, JSON). Lighthouse (the npm package,
installed on first use by :func:`convlab.publish.assets.lighthouse`) runs with its default
configuration, the mobile one (a mid-range phone's screen, 4x CPU slowdown, a slow 4G
network, simulated), in Debian's headless Chromium, once per page per run. The pages: home,
results and every lesson.

Each page's four scores (performance, accessibility, best practices, SEO) are printed, the
median of the runs. With ``--gate`` the script fails (exit status 1) when a page's
accessibility, best practices or SEO score is below 100, listing the audits that cost points;
these do not depend on the machine's speed. Performance is a benchmark, not a gate: it moves
with whatever else the machine is doing, so measure it alone on the machine, with three runs.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from convlab.publish import assets  # noqa: E402

CHROMIUM = os.environ.get("CONVLAB_CHROMIUM", "/usr/bin/chromium")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
GATED = ("accessibility", "best-practices", "seo")
# What GitHub Pages sends gzip-compressed.
COMPRESSED = ("text/", "application/javascript", "application/json", "image/svg+xml",
              "application/xml")


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, text compressed with gzip when the browser accepts it."""

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        kind = self.guess_type(str(path))
        wants = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (wants and path.is_file() and kind.startswith(COMPRESSED)):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")  # as GitHub Pages
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, *args: object) -> None:
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    """A server that does not print a traceback when Chromium drops a connection."""

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """``site`` on http://127.0.0.1:PORT, compressed as GitHub Pages serves it."""
    handler = functools.partial(GzipHandler, directory=str(site))
    server = QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def pages(site: Path) -> list[str]:
    """Home, the results page and every lesson, as paths in the site."""
    lessons = sorted(p.relative_to(site).as_posix() for p in (site / "lessons").glob("*.html"))
    return ["index.html", "results.html", *lessons]


def audit(url: str, cli: Path, scratch: Path) -> dict:
    """One Lighthouse run of ``url``: its report (JSON) as a dict."""
    out = scratch / "report.json"
    command = ["node", str(cli), url, "--output=json", f"--output-path={out}", "--quiet",
               f"--only-categories={','.join(CATEGORIES)}", f"--chrome-path={CHROMIUM}",
               "--chrome-flags=--headless=new --no-sandbox --disable-gpu"]
    done = subprocess.run(command, capture_output=True, text=True,
                          env={**os.environ, "CHROME_PATH": CHROMIUM})
    if done.returncode != 0 or not out.is_file():
        raise RuntimeError(f"lighthouse failed on {url}:\n{done.stdout}{done.stderr}")
    return json.loads(out.read_text(encoding="utf-8"))


def scores(report: dict) -> dict[str, int]:
    """The four category scores, 0 to 100."""
    return {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}


def lost_points(report: dict, category: str) -> list[str]:
    """The audits of ``category`` that scored below 1, with their titles."""
    audits = report["audits"]
    lost = []
    for ref in report["categories"][category]["auditRefs"]:
        found = audits[ref["id"]]
        if ref["weight"] and found.get("score") is not None and found["score"] < 1:
            lost.append(f"{ref['id']}: {found['title']}")
    return lost


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=REPO / "site")
    parser.add_argument("--runs", type=int, default=3, help="runs per page (median)")
    parser.add_argument("--gate", action="store_true",
                        help="fail unless accessibility, best practices and SEO are 100")
    parser.add_argument("--json", type=Path, help="also write the scores here")
    parser.add_argument("pages", nargs="*", help="paths in the site (default: home, results "
                                                 "and every lesson)")
    args = parser.parse_args(argv)
    cli = assets.lighthouse()
    table: dict[str, dict[str, int]] = {}
    problems: list[str] = []
    print(f"{'page':45} {'perf':>5} {'a11y':>5} {'best':>5} {'seo':>5}", flush=True)
    with serve(args.site.resolve()) as base, tempfile.TemporaryDirectory() as scratch:
        for path in args.pages or pages(args.site):
            reports = [audit(f"{base}/{path}", cli, Path(scratch)) for _ in range(args.runs)]
            runs = [scores(r) for r in reports]
            median = {c: round(statistics.median(s[c] for s in runs)) for c in CATEGORIES}
            table[path] = median
            print(f"{path:45} " + " ".join(f"{median[c]:5}" for c in CATEGORIES), flush=True)
            for category in GATED:
                if median[category] < 100:
                    lost = lost_points(reports[0], category)
                    problems.append(f"{path}: {category} {median[category]}: "
                                    + "; ".join(lost))
    if args.json:
        args.json.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")
    perf = [s["performance"] for s in table.values()]
    print(f"performance: median {statistics.median(perf):.0f}, lowest {min(perf)} "
          f"({args.runs} run(s) per page; a benchmark, noisy on a shared machine)")
    if problems:
        print("below 100:\n" + "\n".join(problems))
    return 1 if args.gate and problems else 0


if __name__ == "__main__":
    sys.exit(main())
