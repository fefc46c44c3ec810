"""Check the built site's internal links and anchors: a broken one fails the build.

``mkdocs build --strict`` checks the links of Markdown pages, but not those inside rendered
notebooks or raw HTML. This reads every ``.html`` file of the built site, resolves each
``href`` and ``src`` that points inside the site (relative, or absolute under ``site_url``'s
path), and checks that the target file exists and, for ``#anchor``, that it has an element
with that ``id`` (or ``name``).
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse


class LinkError(RuntimeError):
    """Broken internal links; the message lists each page and target."""


@dataclass(frozen=True)
class BrokenLink:
    page: str  # the page's path inside the site
    target: str  # the link as written
    problem: str  # "no such file" or "no anchor #x"

    def describe(self) -> str:
        """``page: target (problem)``, one line."""
        return f"{self.page}: {self.target} ({self.problem})"


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("href", "src"):
                self.links.append(value)
            if name == "id" or (name == "name" and tag == "a"):
                self.ids.add(value)


def _parse(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8", errors="replace"))
    return collector


def _resolve(site: Path, page: Path, path: str, base_path: str) -> Path:
    if path.startswith("/"):
        inside = path[len(base_path):] if path.startswith(base_path) else path.lstrip("/")
        target = site / inside
    else:
        target = page.parent / path
    if target.is_dir() or path.endswith("/") or path == "":
        target = target / "index.html"
    return target


def check(site: Path, site_url: str = "") -> list[BrokenLink]:
    """Every broken internal link of the site built in ``site``."""
    base_path = urlparse(site_url).path or "/"
    if not base_path.endswith("/"):
        base_path += "/"
    host = urlparse(site_url).netloc
    parsed: dict[Path, _Collector] = {}

    def page_of(path: Path) -> _Collector:
        if path not in parsed:
            parsed[path] = _parse(path)
        return parsed[path]

    broken = []
    for page in sorted(site.rglob("*.html")):
        for link in page_of(page).links:
            url = urlparse(link)
            if url.scheme in ("mailto", "javascript", "data", "tel"):
                continue
            if url.scheme or url.netloc:
                if not (host and url.netloc == host and url.path.startswith(base_path)):
                    continue  # an external link: not checked here
            path, anchor = urldefrag(unquote(url.path if url.netloc else link))
            path = urlparse(path).path
            target = page.resolve() if path == "" else _resolve(site, page, path, base_path)
            relative = page.relative_to(site).as_posix()
            if not target.resolve().is_relative_to(site.resolve()):
                broken.append(BrokenLink(relative, link, "points outside the site"))
            elif not target.is_file():
                broken.append(BrokenLink(relative, link, "no such file"))
            elif anchor and target.suffix == ".html" and anchor not in page_of(target).ids:
                broken.append(BrokenLink(relative, link, f"no anchor #{anchor}"))
    return broken


def require_intact(site: Path, site_url: str = "") -> None:
    """Raise :class:`LinkError` listing every broken internal link of ``site``."""
    broken = check(site, site_url)
    if broken:
        lines = "\n".join(f"  {b.describe()}" for b in broken[:50])
        more = f"\n  ... and {len(broken) - 50} more" if len(broken) > 50 else ""
        raise LinkError(f"{len(broken)} broken internal link(s) in the built site:\n"
                        f"{lines}{more}")
