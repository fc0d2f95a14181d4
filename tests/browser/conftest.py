"""Chromium (Debian's chromium + chromium-driver) driven by Selenium, offline.

Chromium must not reach Google (it would hang here): no sync, no component updates,
no background networking, a fresh profile. The console's TLS certificate is trusted
by its public key hash only, as a device pins the fleet CA.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import load_pem_x509_certificate

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def spki_hash(server_pem: Path) -> str:
    cert = load_pem_x509_certificate(server_pem.read_bytes())
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


@pytest.fixture
def browser_for(tmp_path: Path) -> Iterator[object]:
    if not (Path(CHROMIUM).exists() and Path(DRIVER).exists()):
        pytest.fail("chromium and chromium-driver are needed (./dev installs them)")
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must not look for downloads
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    drivers = []

    def make(server_pem: Path) -> webdriver.Chrome:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in (
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={tmp_path / f'profile{len(drivers)}'}",
            f"--ignore-certificate-errors-spki-list={spki_hash(server_pem)}",
            "--window-size=1200,800", "--lang=nl",
        ):  # fmt: skip
            options.add_argument(arg)
        driver = webdriver.Chrome(options=options, service=Service(DRIVER))
        driver.set_page_load_timeout(30)
        drivers.append(driver)
        return driver

    yield make
    for driver in drivers:
        driver.quit()
