"""Browser tests: a real server (``cluneal serve``) and Debian's Chromium driven by Playwright;
axe-core (npm, pinned in package-lock.json) checks the pages against WCAG 2.1 A and AA."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CLUNEAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# axe-core's tags for the rules of WCAG 2.0 and 2.1 at levels A and AA (its API documentation).
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Where the page loads axe-core from: an address of the page's own origin that Playwright answers
# with node_modules/axe-core/axe.min.js, so the site's Content-Security-Policy (script-src 'self')
# admits it as it is. An inline script (add_script_tag(path=...) or content=...) is refused by
# that policy, and bypass_csp would check a page that applies what the policy blocks for users.
AXE_PATH = "/__axe-core/axe.min.js"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running Cluneal on a SQLite database of its own; yields its base URL."""
    for url, _ in _serve(tmp_path_factory, demo=False):
        yield url


@pytest.fixture(scope="session")
def server_with_demo(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, dict[str, str]]]:
    """A running Cluneal with the demo clinic; yields its URL and the demo credentials."""
    yield from _serve(tmp_path_factory, demo=True)


@pytest.fixture(scope="module")
def server_with_setup(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, str]]]:
    """A demo server of the test module's own: its ``SETUP`` script (Python source, run with the
    server's database before it starts) prints ``key=value`` lines that join the credentials."""
    yield from _serve(tmp_path_factory, demo=True, setup=request.module.SETUP)


def _serve(
    tmp_path_factory: pytest.TempPathFactory, demo: bool, setup: str | None = None
) -> Iterator[tuple[str, dict[str, str]]]:
    data = tmp_path_factory.mktemp("server-data")
    port = free_port()
    env = {
        **os.environ,
        "CLUNEAL_DATA_DIR": str(data),
        "CLUNEAL_SECURE_COOKIES": "false",
        "DATABASE_URL": "",
    }
    env.pop("CLUNEAL_KNOWLEDGE", None)
    extra: dict[str, str] = {}
    if setup is not None:
        script = "from cluneal.web.setup import prepare\nprepare()\n" + setup
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        extra = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    log = (data / "server.log").open("w")
    command = [sys.executable, "-m", "cluneal", "serve", "--port", str(port), "--workers", "1"]
    proc = subprocess.Popen(
        command + (["--demo"] if demo else []),
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/evidence", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError((data / "server.log").read_text()) from None
            time.sleep(0.2)
    log.flush()
    output = (data / "server.log").read_text()
    creds: dict[str, str] = {}
    found = re.search(
        r"as (\S+) \(clinician\) or (\S+) \(site administrator\), password (\S+)", output
    )
    if found:
        creds = dict(zip(("clinician", "admin", "password"), found.groups(), strict=True))
    yield url, creds | extra
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


@dataclass(frozen=True)
class Violation:
    """One rule of axe-core that a page breaks, with the elements that break it."""

    id: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.id} ({self.impact}): {self.help}\n" + "\n".join(
            f"    {t}" for t in self.targets
        )


class Violations(list[Violation]):
    """A page's violations; as a string (an assertion's message), each rule and its targets."""

    def __str__(self) -> str:
        return "\n".join(map(str, self))


@pytest.fixture(scope="session")
def axe_script(pytestconfig: pytest.Config) -> Path:
    path = pytestconfig.rootpath / "node_modules" / "axe-core" / "axe.min.js"
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make axe` (npm ci), which `make test` runs")
    return path


@pytest.fixture(scope="session")
def axe(axe_script: Path) -> Callable[..., Violations]:
    """``axe(page)``: the WCAG 2.1 A and AA violations that axe-core finds on the page as shown.
    ``assert not (found := axe(page)), str(found)`` prints each, its help and target selectors."""

    def run(page) -> Violations:  # type: ignore[no-untyped-def]
        if not page.evaluate("typeof window.axe === 'object'"):
            pattern = re.compile(re.escape(AXE_PATH) + "$")
            page.route(
                pattern,
                lambda route: route.fulfill(path=axe_script, content_type="text/javascript"),
            )
            try:
                page.add_script_tag(url=AXE_PATH)
            finally:
                page.unroute(pattern)
        options = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
        results = page.evaluate("options => axe.run(document, options)", options)
        return Violations(
            Violation(
                id=v["id"],
                impact=v["impact"] or "",
                help=v["help"],
                targets=tuple(" ".join(map(str, n["target"])) for n in v["nodes"]),
            )
            for v in results["violations"]
        )

    return run
