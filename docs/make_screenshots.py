"""Render docs/calculator.png from a running `cluneal serve` (used by `make screenshot`)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

DOCS = Path(__file__).parent
QUERY = (
    "?age=58&sex=female&duration_months=14&current_nrs=6&leg_tingling=yes"
    "&pain_left=low_back&pain_left=iliac_crest&pain_left=buttock&pain_left=posterior_thigh"
    "&aggravated=lumbar_flexion&aggravated=walking&planned=si_joint_fusion"
    "&left_scn_tender=yes&left_scn_distance=72&left_scn_reproduces=yes&left_scn_radiation=yes"
    "&left_mcn_tender=yes&left_mcn_distance=25&left_mcn_reproduces=no"
    "&right_scn_tender=no&right_mcn_tender=no"
    "&b0_date=2026-11-02&b0_nerve=scn&b0_side=left&b0_before=8&b0_after=2&b0_minutes=30&b0_days=5"
)


def main() -> None:
    port = 8799
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "CLUNEAL_DATA_DIR": data, "DATABASE_URL": ""}
        server = subprocess.Popen(
            [sys.executable, "-m", "cluneal", "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/evidence", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path="/usr/bin/chromium",
                    args=[
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--no-first-run",
                    ],
                )
                page = browser.new_page(viewport={"width": 1360, "height": 1000})
                page.goto(f"http://127.0.0.1:{port}/{QUERY}")
                page.screenshot(path=str(DOCS / "calculator.png"))
                phone = browser.new_page(viewport={"width": 390, "height": 844})
                phone.goto(f"http://127.0.0.1:{port}/{QUERY}")
                phone.locator("#result").scroll_into_view_if_needed()
                phone.screenshot(path=str(DOCS / "calculator-phone.png"))
                browser.close()
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
