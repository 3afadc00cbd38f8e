"""Screenshots of the demo on a phone and a desktop, for the README.

Run the demo first (`make demo`, or any port with --base), then:

    .venv/bin/python docs/screenshots.py [--base http://127.0.0.1:8000]

It writes docs/screenshots/<page>-<device>.png for the home page, the proposal index and a
proposal of the city's site, with Debian's Chromium driven by Playwright.
"""

import argparse
import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
DEVICES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2},
    "desktop": {"viewport": {"width": 1280, "height": 900}, "device_scale_factor": 1},
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000", help="where the demo runs")
    parser.add_argument("--site", default="changwon", help="which demo site to photograph")
    args = parser.parse_args()
    port = urlsplit(args.base).port or 80
    site = f"http://{args.site}.localhost:{port}"
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update"],
        )  # fmt: skip
        for device, options in DEVICES.items():
            context = browser.new_context(locale="ko-KR", **options)
            page = context.new_page()
            page.goto(f"{site}/")
            page.screenshot(path=OUT / f"home-{device}.png")
            page.goto(f"{site}/proposals/")
            if device == "phone":  # past the filters, to the cards
                page.locator(".proposal-list").first.evaluate("list => list.scrollIntoView()")
            page.screenshot(path=OUT / f"proposals-{device}.png")
            page.goto(f"{site}/proposals/?stage=collecting")
            page.locator(".proposal-card__title a").first.click()
            page.wait_for_load_state()
            page.screenshot(path=OUT / f"proposal-{device}.png")
            context.close()
        browser.close()
    for file in sorted(OUT.glob("*.png")):
        print(file.relative_to(OUT.parent.parent))


if __name__ == "__main__":
    main()
