"""The helpdesk console in a real Chromium: log in with password and TOTP, issue codes,
enroll real devices with them, see a device come online, a real call between them
as the pairing's last call, and the refusals (a POST
without CSRF token, a cookie used after logout, a helpdesk account on an operator
action). With KLASGENOOT_SCREENSHOTS=DIR the main pages are saved there (docs/images).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pairing.certificates import load_certificate
from pairing.revocation import load_crl
from tests.support.console import (
    KLASGENOOT,
    PASSWORD,
    Account,
    Services,
    add_user,
    device,
    env,
    init_fleet,
    ok,
    run,
    services,
)

SHOTS = os.environ.get("KLASGENOOT_SCREENSHOTS")


def shot(driver: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(SHOTS) / f"console-{name}.png"))


def wait_for(condition: Callable[[], bool], timeout: float = 30, step: float = 0.5) -> None:
    """Until ``condition`` holds; a page that reloads while it is read is read again."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

    deadline = time.monotonic() + timeout
    while True:
        try:
            if condition():
                return
        except (StaleElementReferenceException, NoSuchElementException):
            pass  # the next page is on its way
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(step)


def login(driver: Any, svc: Services, account: Account, password: str = PASSWORD) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{svc.url}/login")
    shot(driver, "login")
    driver.find_element(By.ID, "name").send_keys(account.name)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "totp").send_keys(account.code())
    driver.find_element(By.ID, "login").click()
    # Wait for the next page itself: right after the click the old one is still "complete".
    wait_for(
        lambda: bool(
            driver.find_elements(By.ID, "pairings") or driver.find_elements(By.ID, "error")
        )
    )
    assert "Vlootoverzicht" in driver.page_source, driver.find_element(By.TAG_NAME, "body").text


def post_without(driver: Any, action: str, field: str | None) -> str:
    """Submit a form the page does not offer (built by script, as a forged page would),
    with the page's CSRF token unless ``field`` is that token; returns the answer text."""
    driver.execute_script(
        """const [action, drop] = arguments;
        const token = document.querySelector('input[name=csrf]');
        const f = document.createElement('form'); f.method = 'post'; f.action = action;
        if (token && drop !== 'csrf') { const i = document.createElement('input');
          i.type = 'hidden'; i.name = 'csrf'; i.value = token.value; f.appendChild(i); }
        document.body.appendChild(f); f.submit();""",
        action,
        field,
    )
    time.sleep(0.5)
    return str(driver.find_element("tag name", "body").text)


def went_live(config: Path) -> bool:
    """The device's own connection log has a call that connected (media flowed)."""
    db = config / "state" / "connections.sqlite3"
    if not db.exists():
        return False
    with contextlib.closing(sqlite3.connect(db, timeout=1)) as conn:
        try:
            row = conn.execute("SELECT 1 FROM sessions WHERE connected_at IS NOT NULL").fetchone()
        except sqlite3.OperationalError:  # the device made the file and not yet its table
            return False
    return row is not None


def test_a_day_at_the_helpdesk_in_chromium(
    tmp_path: Path, browser_for: Callable[[Path], Any]
) -> None:
    from selenium.webdriver.common.by import By

    fleet = tmp_path / "fleet"
    signaling_port = init_fleet(fleet)
    anna = add_user(fleet, "anna", "operator")
    bert = add_user(fleet, "bert", "helpdesk")
    with services(fleet, signaling_port) as svc:
        driver = browser_for(fleet / "server.pem")
        login(driver, svc, anna)

        # An operator makes an account in the browser: its TOTP QR code is shown once.
        driver.find_element(By.ID, "accounts-link").click()
        wait_for(lambda: bool(driver.find_elements(By.ID, "new-name")))
        driver.find_element(By.ID, "new-name").send_keys("carla")
        driver.find_element(By.ID, "new-password").send_keys(PASSWORD)
        driver.find_element(By.ID, "add-account").click()
        wait_for(lambda: bool(driver.find_elements(By.ID, "totp-qr")))
        assert driver.find_element(By.ID, "otpauth").text.startswith("otpauth://totp/")
        assert "carla" in driver.find_element(By.ID, "accounts").text
        shot(driver, "accounts")
        driver.get(f"{svc.url}/accounts")
        assert not driver.find_elements(By.ID, "totp-qr")  # never shown again

        # Issue two codes in the console.
        driver.find_element(By.ID, "new-pairing").click()
        wait_for(lambda: bool(driver.find_elements(By.ID, "label")))
        driver.find_element(By.ID, "label").send_keys("KG-0042")
        driver.execute_script(  # a date input: typing depends on the locale, so set it
            "document.getElementById('consent-day').value = arguments[0]",
            dt.date.today().isoformat(),
        )
        driver.find_element(By.ID, "consent-ref").send_keys("dossier 2026/017")
        shot(driver, "new-pairing")
        driver.find_element(By.ID, "issue").click()
        wait_for(lambda: len(driver.find_elements(By.CSS_SELECTOR, "#codes td.code")) == 2)
        cells = driver.find_elements(By.CSS_SELECTOR, "#codes td.code")
        student_code, classroom_code = (c.text for c in cells)
        fingerprint = driver.find_element(By.ID, "fingerprint").text
        assert len(fingerprint.split()) == 4  # four rows of eight pairs, as devices show it
        shot(driver, "codes")

        # A wrong code changes nothing on the device.
        wrong = run("enroll", "code", "22222-22222", "--config", str(tmp_path / "x"),
                    "--url", svc.url, "--ca-fingerprint", fingerprint)  # fmt: skip
        assert wrong.returncode == 1 and "Traceback" not in wrong.stderr
        assert "code" in wrong.stderr and not (tmp_path / "x").exists()

        # Enroll both devices with their codes: the first waits for the second.
        s_dir, c_dir = tmp_path / "student", tmp_path / "classroom"
        first = subprocess.Popen(
            [KLASGENOOT, "enroll", "code", student_code, "--config", str(s_dir),
             "--url", svc.url, "--ca-fingerprint", fingerprint],
            env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        wait_for(lambda: (s_dir / "device.json").exists() or first.poll() is not None)
        ok("enroll", "code", classroom_code, "--config", str(c_dir), "--url", svc.url,
           "--ca-fingerprint", fingerprint)  # fmt: skip
        out, err = first.communicate(timeout=60)
        assert first.returncode == 0, err
        assert "Ingeschreven als leerling" in out

        # Used codes are refused the second time, and change nothing.
        again = run("enroll", "code", classroom_code, "--config", str(tmp_path / "y"),
                    "--url", svc.url, "--ca-fingerprint", fingerprint)  # fmt: skip
        assert again.returncode == 1 and not (tmp_path / "y").exists()

        # The technician reports a fault from the classroom unit: shown first, then sent.
        sent = ok("technician", "report", "--config", str(c_dir), "--url", svc.url, "--yes")
        assert '"last_events"' in sent and "Storingsmelding #1 verstuurd" in sent

        # The classroom unit starts and shows online in the overview.
        with device("classroom", c_dir):

            def online() -> bool:
                driver.get(f"{svc.url}/")
                cells = driver.find_elements(By.CSS_SELECTOR, "td.status")
                return "online" in [c.text for c in cells]

            wait_for(online, timeout=60, step=1)
            versions = [c.text for c in driver.find_elements(By.CSS_SELECTOR, "td.version")]
            assert versions[1] not in ("—", "onbekend")  # the running unit said its version
            driver.find_element(By.LINK_TEXT, "KG-0042").click()
            wait_for(lambda: "Geschiedenis" in driver.page_source)
            assert "ingeschreven" in driver.page_source
            assert driver.find_element(By.CSS_SELECTOR, "#reports .report-state").text == "nieuw"
            short = driver.find_elements(By.CSS_SELECTOR, "#devices td.mono")[1].text
            assert f"device {short} online" in driver.find_element(By.ID, "server-history").text

            # The pupil's laptop starts too: a real call. When the laptop stops, its
            # summary of that call is the pairing's last call in the overview.
            assert "Nog geen gesprek" in driver.find_element(By.ID, "last-call").text
            with device("student", s_dir):
                wait_for(lambda: went_live(s_dir), timeout=90, step=1)
            driver.get(f"{svc.url}/")

            def last_call() -> str:
                driver.refresh()
                return str(driver.find_element(By.CSS_SELECTOR, "td.last-call").text)

            wait_for(lambda: "de leerlinglaptop stopte" in last_call(), timeout=30, step=1)
            assert "direct (" in last_call()  # two devices on one machine, no TURN
            shot(driver, "overview")
            driver.find_element(By.LINK_TEXT, "KG-0042").click()
            wait_for(lambda: "Geschiedenis" in driver.page_source)
            assert "Begonnen" in driver.find_element(By.ID, "last-call").text
            shot(driver, "pairing")

        # The helpdesk reads the report and closes it.
        driver.find_element(By.LINK_TEXT, "#1").click()
        wait_for(lambda: bool(driver.find_elements(By.ID, "report-body")))
        assert '"app_version"' in driver.find_element(By.ID, "report-body").text
        shot(driver, "report")
        from selenium.webdriver.support.ui import Select

        Select(driver.find_element(By.ID, "state")).select_by_value("solved")
        driver.find_element(By.ID, "set-state").click()
        wait_for(lambda: driver.find_element(By.ID, "report-state").text == "opgelost")
        assert "door anna" in driver.find_element(By.TAG_NAME, "body").text
        driver.find_element(By.LINK_TEXT, "KG-0042").click()
        wait_for(lambda: "Geschiedenis" in driver.page_source)

        # A helpdesk-free moment for the operator: end the service. Both devices are
        # revoked at once and the collection window is shown.
        assert driver.find_element(By.ID, "consent").text.endswith("dossier 2026/017")
        driver.find_element(By.ID, "end-service").click()
        wait_for(lambda: bool(driver.find_elements(By.ID, "service-ended")))
        window = driver.find_element(By.ID, "erase-after").text
        expected = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=42)
        assert window.startswith(expected.isoformat())
        shot(driver, "ended")
        crl = load_crl(
            (fleet / "crl.pem").read_bytes(), load_certificate((fleet / "ca.pem").read_bytes())
        )
        assert len(crl.serials) == 2

        # The server forgets the pair's last call with the revocation: so does the overview.
        pairing_url = driver.current_url

        def no_last_call() -> bool:
            driver.get(f"{svc.url}/")
            return "nog geen" in driver.find_element(By.CSS_SELECTOR, "td.last-call").text

        wait_for(no_last_call, timeout=30, step=1)
        driver.get(pairing_url)

        # A POST without the CSRF token is refused; with it, the action runs.
        assert "Formulier verlopen" in post_without(driver, driver.current_url + "/code", "csrf")
        driver.back()

        # Logout ends the session: its cookie is worth nothing afterwards.
        cookie = driver.get_cookie("__Host-kg-session")
        assert cookie is not None and cookie["httpOnly"] and cookie["secure"]
        assert cookie["sameSite"] == "Strict"
        driver.get(f"{svc.url}/")
        driver.find_element(By.ID, "logout").click()
        wait_for(lambda: driver.current_url.endswith("/login"))
        driver.add_cookie({"name": cookie["name"], "value": cookie["value"], "path": "/",
                           "secure": True})  # fmt: skip
        driver.get(f"{svc.url}/")
        assert driver.current_url.endswith("/login")

        # A helpdesk account may read and issue codes, but not revoke them.
        login(driver, svc, bert)
        driver.find_element(By.LINK_TEXT, "KG-0042").click()
        wait_for(lambda: "Geschiedenis" in driver.page_source)
        assert not driver.find_elements(By.ID, "revoke-codes")
        pid_url = driver.current_url
        assert not driver.find_elements(By.ID, "erase")
        assert "beheerder" in post_without(driver, pid_url + "/revoke-codes", None)
        driver.get(pid_url)
        assert "beheerder" in post_without(driver, pid_url + "/erase", None)
        driver.get(pid_url)
        assert driver.find_elements(By.ID, "service-ended")  # still there: nothing erased
        assert not driver.find_elements(By.ID, "accounts-link")
        driver.get(f"{svc.url}/accounts")
        assert "beheerder" in driver.find_element(By.TAG_NAME, "body").text
