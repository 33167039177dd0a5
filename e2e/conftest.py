"""Browser tests: a real `leadline serve` on the demo data, driven in Debian's Chromium.

The server runs in a throw-away folder with its own SQLite database, loaded once per
test session with `leadline demo`, exactly as `make demo` does.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "e2e" / "screenshots"
LEADLINE = Path(sys.executable).parent / "leadline"
CHROMIUM = os.environ.get("LEADLINE_CHROMIUM", "/usr/bin/chromium")
DEMO_PASSWORD = "leadline-demo"
VIEWPORT: ViewportSize = {"width": 1440, "height": 900}

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"leadline serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own loopback server
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"leadline serve did not answer at {url}")


@pytest.fixture(scope="session")
def server_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment `leadline serve` runs with: a test can reach the same database."""
    workdir = tmp_path_factory.mktemp("leadline-e2e")
    return {
        **os.environ,
        "LEADLINE_DATABASE_URL": f"sqlite:///{workdir / 'demo.sqlite3'}",
        "LEADLINE_VAR_DIR": str(workdir),
        "LEADLINE_LOG_LEVEL": "WARNING",
    }


@pytest.fixture(scope="session")
def server(server_env: dict[str, str]) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}; `make test` installs it")
    env = server_env
    workdir = Path(env["LEADLINE_VAR_DIR"])
    subprocess.run([str(LEADLINE), "demo"], cwd=workdir, env=env, check=True, capture_output=True)
    port = _free_port()
    log = (workdir / "serve.log").open("wb")
    process = subprocess.Popen(
        [str(LEADLINE), "serve", "--port", str(port)], cwd=workdir, env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base}/login/", process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def signed_in(browser: Browser, server: str) -> Iterator[Callable[[str], Page]]:
    """A factory of pages, each in its own browser context signed in as the given email."""
    contexts: list[BrowserContext] = []

    def open_as(email: str) -> Page:
        context = browser.new_context(viewport=VIEWPORT)
        contexts.append(context)
        opened = context.new_page()
        sign_in(opened, server, email)
        return opened

    yield open_as
    for context in contexts:
        context.close()


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def run_in_server_database(env: dict[str, str], code: str) -> str:
    """Run Python `code` in a separate process on the served database; return its stdout.

    The code runs after `django.setup()`, as another process of the installation would
    (a worker, a webhook): what it writes reaches the browser only through the server.
    """
    script = "import django\ndjango.setup()\n" + code
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**env, "DJANGO_SETTINGS_MODULE": "leadline.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the script failed:\n{done.stderr}")
    return done.stdout
