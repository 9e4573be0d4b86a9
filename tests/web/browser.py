"""Headless Chromium (Debian's `chromium` and `chromium-driver`) driven by Selenium, for the
browser tests and the screenshots. Selenium is given the driver's path, so it never tries to
download one."""

from __future__ import annotations

import shutil

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
DRIVER = "chromedriver"


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not any(shutil.which(name) for name in CHROMIUM):
        return "no chromium (Debian: apt-get install chromium chromium-driver; make test does it)"
    if not shutil.which(DRIVER):
        return "no chromedriver (Debian: apt-get install chromium-driver; make test does it)"
    return None


def chromium(width: int = 1400, height: int = 900, dark: bool = False) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    binary = next(path for name in CHROMIUM if (path := shutil.which(name)))
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={width},{height}", "--hide-scrollbars", "--lang=en-US",
                "--no-first-run", "--disable-extensions"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(shutil.which(DRIVER)), options=options)
    scheme = "dark" if dark else "light"
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                           {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
    return driver
