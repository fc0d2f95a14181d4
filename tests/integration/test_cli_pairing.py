"""The real ``klasgenoot`` command: fleet init, enroll, pair, install, revoke, and refusals.

Every command runs as a subprocess of the installed console script, the way an
operator or technician runs it, with the passphrase and the developer key store
taken from the environment.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from pathlib import Path

import pytest

from pairing import revocation
from pairing.ca import new_key
from pairing.certificates import fingerprint as ca_fingerprint
from pairing.certificates import load_certificate, utcnow
from pairing.deviceid import DeviceId
from pairing.enrollment import create_request, load_request
from pairing.errors import (
    AlreadyRevoked,
    BundleExpired,
    BundleWrongDevice,
    BundleWrongRole,
    DateInvalid,
    DeviceKeyMissing,
    EndDateInvalid,
    FileAccessFailed,
    FleetFolderNotEmpty,
    FleetNotInitialised,
    FleetSettingsInvalid,
    KeyStoreInsecure,
    NotEnrolled,
    PassphraseWrong,
    RevokeTargetAmbiguous,
)
from pairing.fleet import pair, read_records
from pairing.issued import add_months, dump_records
from pairing.roles import Role

PASS = "correct horse battery"
KLASGENOOT = shutil.which("klasgenoot", path=str(Path(sys.executable).parent)) or "klasgenoot"


@dataclass
class Cli:
    cwd: Path
    passphrase: str = PASS
    extra_env: dict[str, str] = dataclass_field(
        default_factory=lambda: {"KLASGENOOT_DEV_KEYRING": "1"}
    )

    def run(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KLASGENOOT_")}
        env |= {"KLASGENOOT_FLEET_PASSPHRASE": self.passphrase, **self.extra_env}
        return subprocess.run(
            [KLASGENOOT, *args], cwd=self.cwd, env=env, input=stdin,
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip

    def ok(self, *args: str, stdin: str = "") -> str:
        done = self.run(*args, stdin=stdin)
        assert done.returncode == 0, f"{args}: {done.stderr}"
        return done.stdout

    def refused(self, message: str, *args: str, stdin: str = "") -> str:
        """Runs a command that must fail with exit code 1 and ``message``, no traceback."""
        done = self.run(*args, stdin=stdin)
        assert done.returncode == 1, f"{args}: {done.stdout} {done.stderr}"
        assert message in done.stderr
        assert "Traceback" not in done.stderr
        return done.stderr


def field(output: str, label: str) -> str:
    for line in output.splitlines():
        if line.startswith(label):
            return line[len(label) :].strip()
    raise AssertionError(f"{label!r} not in {output!r}")


def printed_fingerprint(output: str) -> str:
    """The CA fingerprint on the four lines of eight pairs under its label, as every
    command prints it and the device's first-run screen shows it (issue 15, item 17)."""
    lines = output.splitlines()
    start = lines.index("CA-vingerafdruk (SHA-256):") + 1
    rows = [line.strip() for line in lines[start : start + 4]]
    assert [len(row.split(":")) for row in rows] == [8, 8, 8, 8], rows
    return ":".join(rows)


def snapshot(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


def enrolled_pair(cli: Cli) -> str:
    """init + two requests + pair; returns the pair command's output."""
    cli.ok("fleet", "init", "--data", "fleet")
    cli.ok("enroll", "request", "--config", "student", "--role", "student", "--out", "s.csr")
    cli.ok("enroll", "request", "--config", "classroom", "--role", "classroom", "--out", "c.csr")
    until = (utcnow().date() + dt.timedelta(days=120)).isoformat()
    return cli.ok(
        "fleet", "pair", "--data", "fleet", "--until", until,
        "--student-request", "s.csr", "--classroom-request", "c.csr", "--out", "out",
    )  # fmt: skip


def test_full_flow(cli: Cli, tmp_path: Path) -> None:
    init = cli.ok(
        "fleet", "init", "--data", "fleet", "--server-name", "signal.school.nl",
        "--ice-servers", '[{"urls": ["stun:stun.school.nl:3478"]}]',
    )  # fmt: skip
    assert "wss://signal.school.nl:8443/ws" in init
    s_req = cli.ok(
        "enroll", "request", "--config", "student", "--role", "student", "--out", "s.csr"
    )
    c_req = cli.ok("enroll", "request", "--config", "classroom", "--role", "classroom")
    (tmp_path / "c.csr").write_text(c_req)  # the request on stdout, as a technician may pipe it
    student_id = field(s_req, "Apparaatcode:")
    assert load_request((tmp_path / "c.csr").read_bytes()).role is Role.CLASSROOM
    until = (utcnow().date() + dt.timedelta(days=200)).isoformat()
    paired = cli.ok(
        "fleet", "pair", "--data", "fleet", "--until", until,
        "--student-request", "s.csr", "--classroom-request", "c.csr", "--out", "out",
    )  # fmt: skip
    pairing_id = field(paired, "Koppeling:")
    assert field(paired, "Leerling:") == student_id
    classroom_id = field(paired, "Klas:")
    s_bundle, c_bundle = field(paired, "Bundel leerling:"), field(paired, "Bundel klas:")
    assert (tmp_path / s_bundle).exists() and (tmp_path / c_bundle).exists()

    installed = cli.ok("enroll", "install", s_bundle, "--config", "student", "--yes")
    assert field(installed, "Gekoppeld met:") == classroom_id
    fingerprint = printed_fingerprint(installed)
    ca = load_certificate((tmp_path / "fleet" / "ca.pem").read_bytes())
    assert fingerprint == ca_fingerprint(ca)
    # The operator read the same one from the fleet: no openssl needed to compare.
    assert printed_fingerprint(init) == fingerprint == printed_fingerprint(paired)
    cli.refused(
        "Niet geïnstalleerd", "enroll", "install", c_bundle, "--config", "classroom", stdin="n\n"
    )
    assert not (tmp_path / "classroom" / "certificate.pem").exists()
    cli.ok("enroll", "install", c_bundle, "--config", "classroom", stdin="j\n")
    shown = cli.ok("enroll", "show", "--config", "classroom")
    assert field(shown, "Koppeling:") == pairing_id
    assert field(shown, "Gekoppeld met:") == student_id
    assert field(shown, "Server:") == "wss://signal.school.nl:8443/ws"
    assert printed_fingerprint(shown) == fingerprint

    revoked = cli.ok("fleet", "revoke", "--data", "fleet", student_id.lower().replace("-", " "))
    assert field(revoked, "Intrekkingslijst nummer") == "2"
    (student_record,) = [r for r in read_records(tmp_path / "fleet") if r.revoked]
    assert str(student_record.serial) in revoked
    crl = revocation.load_crl((tmp_path / "fleet" / "crl.pem").read_bytes(), ca)
    assert crl.number == 2 and crl.serials == {student_record.serial}
    again = cli.ok("fleet", "revoke", "--data", "fleet", pairing_id)
    assert field(again, "Intrekkingslijst nummer") == "3"
    assert field(again, "In totaal ingetrokken:") == "2"


def test_show_before_pairing_and_without_key(cli: Cli) -> None:
    cli.refused(NotEnrolled.message(), "enroll", "show", "--config", "nothing")
    out = cli.ok("enroll", "request", "--config", "dev", "--role", "student", "--out", "r.csr")
    shown = cli.ok("enroll", "show", "--config", "dev")
    assert field(shown, "Apparaatcode:") == field(out, "Apparaatcode:")
    assert "nog niet gekoppeld" in shown


def test_install_refuses_a_bundle_for_another_device(cli: Cli, tmp_path: Path) -> None:
    paired = enrolled_pair(cli)
    before = snapshot(tmp_path / "student")
    cli.refused(
        BundleWrongDevice.message(),
        "enroll", "install", field(paired, "Bundel klas:"), "--config", "student", "--yes",
    )  # fmt: skip
    assert snapshot(tmp_path / "student") == before


def test_install_refuses_the_wrong_role(cli: Cli, tmp_path: Path) -> None:
    enrolled_pair(cli)
    # A technician re-ran the request with the other role before installing.
    cli.ok("enroll", "request", "--config", "student", "--role", "classroom", "--out", "x.csr")
    bundle = next((tmp_path / "out").glob("student-*.klasgenoot"))
    cli.refused(
        BundleWrongRole.message(), "enroll", "install", str(bundle), "--config", "student", "--yes"
    )
    assert not (tmp_path / "student" / "certificate.pem").exists()


def test_install_refuses_an_expired_bundle(cli: Cli, tmp_path: Path) -> None:
    enrolled_pair(cli)
    then = utcnow() - dt.timedelta(days=90)
    old = pair(
        tmp_path / "fleet", PASS, (tmp_path / "s.csr").read_bytes(),
        (tmp_path / "c.csr").read_bytes(), until=(then + dt.timedelta(days=30)).date(),
        out_dir=tmp_path / "old", now=then,
    )  # fmt: skip
    cli.refused(
        BundleExpired.message(),
        "enroll", "install", str(old.student_bundle), "--config", "student", "--yes",
    )  # fmt: skip
    assert not (tmp_path / "student" / "certificate.pem").exists()


def test_wrong_passphrase_leaves_the_fleet_unchanged(cli: Cli, tmp_path: Path) -> None:
    enrolled_pair(cli)
    before = snapshot(tmp_path / "fleet")
    wrong = Cli(tmp_path, passphrase="not the passphrase")
    until = (utcnow().date() + dt.timedelta(days=30)).isoformat()
    wrong.refused(
        PassphraseWrong.message(), "fleet", "pair", "--data", "fleet", "--until", until,
        "--student-request", "s.csr", "--classroom-request", "c.csr", "--out", "again",
    )  # fmt: skip
    record = read_records(tmp_path / "fleet")[0]
    wrong.refused(
        PassphraseWrong.message(), "fleet", "revoke", "--data", "fleet", record.pairing_id
    )
    assert snapshot(tmp_path / "fleet") == before
    assert not (tmp_path / "again").exists()


BAD_END_DATES = {
    "day first": ("31-12-2026", DateInvalid.message()),
    "no such day": ("2026-02-30", DateInvalid.message()),
    "a word": ("morgen", DateInvalid.message()),
    "past": ("2020-01-01", EndDateInvalid.message()),
    "14 months": (add_months(utcnow().date(), 14).isoformat(), EndDateInvalid.message()),
}


def test_pair_refuses_bad_end_dates(cli: Cli, tmp_path: Path) -> None:
    enrolled_pair(cli)
    before = snapshot(tmp_path / "fleet")
    for label, (until, message) in BAD_END_DATES.items():
        stderr = cli.refused(
            message, "fleet", "pair", "--data", "fleet", "--until", until,
            "--student-request", "s.csr", "--classroom-request", "c.csr", "--out", "again",
        )  # fmt: skip
        assert stderr.startswith("klasgenoot: "), label
    assert snapshot(tmp_path / "fleet") == before
    assert not (tmp_path / "again").exists()


def test_bad_input_files_and_folders(cli: Cli, tmp_path: Path) -> None:
    cli.refused(
        FleetSettingsInvalid.message(), "fleet", "init", "--data", "f", "--ice-servers", "{"
    )
    cli.refused(
        FleetSettingsInvalid.message(),
        "fleet", "init", "--data", "f", "--signaling-url", "ws://plain.example/ws",
    )  # fmt: skip
    assert not (tmp_path / "f").exists()
    until = (utcnow().date() + dt.timedelta(days=30)).isoformat()
    (tmp_path / "s.csr").write_bytes(create_request(new_key(), Role.STUDENT))
    (tmp_path / "c.csr").write_bytes(create_request(new_key(), Role.CLASSROOM))
    cli.refused(
        FleetNotInitialised.message(), "fleet", "pair", "--data", "nowhere", "--until", until,
        "--student-request", "s.csr", "--classroom-request", "c.csr", "--out", "o",
    )  # fmt: skip
    cli.refused(
        FileAccessFailed.message(), "fleet", "pair", "--data", "nowhere", "--until", until,
        "--student-request", "missing.csr", "--classroom-request", "c.csr", "--out", "o",
    )  # fmt: skip
    cli.refused(
        FileAccessFailed.message(), "enroll", "install", "missing.klasgenoot", "--config", "d"
    )
    (tmp_path / "junk.klasgenoot").write_bytes(b"\x00\xff not json")
    cli.refused("koppelbestand", "enroll", "install", "junk.klasgenoot", "--config", "d", "--yes")


def test_insecure_keyring_is_refused_without_the_dev_flag(tmp_path: Path) -> None:
    # Force keyring's null backend, so the test never touches a real keyring either.
    cli = Cli(tmp_path, extra_env={"PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"})
    cli.refused(
        KeyStoreInsecure.message(),
        "enroll", "request", "--config", "dev", "--role", "student", "--out", "r.csr",
    )  # fmt: skip
    assert not (tmp_path / "r.csr").exists()
    assert not (tmp_path / "dev" / "dev-keyring.json").exists()
    done = cli.run("enroll", "request", "--config", "dev", "--role", "student", "--dev-keyring")
    assert done.returncode == 0, done.stderr
    assert "developer key store" in done.stderr


def test_a_mistyped_command_line_is_answered_in_dutch(cli: Cli, tmp_path: Path) -> None:
    role = cli.run("enroll", "request", "--config", str(tmp_path / "d"), "--role", "teacher")
    assert role.returncode == 2
    assert "fout: --role: 'teacher' kan niet (kies uit 'student', 'classroom')" in role.stderr
    assert role.stderr.startswith("gebruik: klasgenoot enroll request")
    missing = cli.run("fleet", "revoke")
    assert missing.returncode == 2 and "dit ontbreekt nog: --data" in missing.stderr
    assert "error" not in missing.stderr and "required" not in missing.stderr
    assert not (tmp_path / "d").exists()  # refused before anything was done


def test_init_refuses_a_folder_with_other_files(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("not a fleet")
    before = snapshot(tmp_path / "busy")
    cli.refused(FleetFolderNotEmpty.message(), "fleet", "init", "--data", "busy")
    assert snapshot(tmp_path / "busy") == before
    (tmp_path / "empty").mkdir()
    cli.ok("fleet", "init", "--data", "empty", "--server-name", "signal.school.nl")


def test_init_without_a_server_name_says_that_bundles_point_at_localhost(cli: Cli) -> None:
    done = cli.run("fleet", "init", "--data", "fleet")
    assert done.returncode == 0, done.stderr
    assert "wss://localhost:8443/ws" in done.stderr
    assert "--server-name" in done.stderr and "Let op" in done.stderr
    named = cli.run("fleet", "init", "--data", "named", "--server-name", "signal.school.nl")
    assert named.returncode == 0 and "Let op" not in named.stderr


def test_revoke_takes_the_short_form_from_the_log(cli: Cli, tmp_path: Path) -> None:
    paired = enrolled_pair(cli)
    student = field(paired, "Leerling:")
    short = student[:7].lower()  # as read off a log line, typed sloppily
    revoked = cli.ok("fleet", "revoke", "--data", "fleet", short)
    assert field(revoked, "Intrekkingslijst nummer") == "2"
    assert {str(r.device_id) for r in read_records(tmp_path / "fleet") if r.revoked} == {student}


def test_revoke_refuses_a_short_form_two_devices_share(cli: Cli, tmp_path: Path) -> None:
    paired = enrolled_pair(cli)
    student = DeviceId.parse(field(paired, "Leerling:"))
    records = read_records(tmp_path / "fleet")
    # A device whose DeviceId starts like the student's (the first 35 bits are equal).
    twin = DeviceId(student.digest[:5] + bytes(b ^ 0xFF for b in student.digest[5:]))
    assert twin.short == student.short and twin != student
    record = next(r for r in records if r.device_id == student)
    issued = tmp_path / "fleet" / "issued.json"
    issued.write_bytes(dump_records([*records, replace(record, serial=7, device_id=twin)]))
    before = snapshot(tmp_path / "fleet")
    cli.refused(RevokeTargetAmbiguous.message(), "fleet", "revoke", "--data", "fleet", twin.short)
    assert snapshot(tmp_path / "fleet") == before
    cli.ok("fleet", "revoke", "--data", "fleet", str(twin))  # the full code still works


def test_revoking_twice_says_so_and_changes_nothing(cli: Cli, tmp_path: Path) -> None:
    paired = enrolled_pair(cli)
    pairing_id = field(paired, "Koppeling:")
    cli.ok("fleet", "revoke", "--data", "fleet", pairing_id)
    before = snapshot(tmp_path / "fleet")
    again = Cli(tmp_path, passphrase="")  # no passphrase needed to do nothing
    done = again.run("fleet", "revoke", "--data", "fleet", pairing_id)
    assert done.returncode == 0, done.stderr
    assert AlreadyRevoked.message() in done.stdout and "al ingetrokken" in done.stdout
    done = again.run("fleet", "revoke", "--data", "fleet", field(paired, "Klas:"))
    assert done.returncode == 0 and AlreadyRevoked.message() in done.stdout
    assert snapshot(tmp_path / "fleet") == before


def test_install_before_a_request_says_to_make_one_first(cli: Cli, tmp_path: Path) -> None:
    paired = enrolled_pair(cli)
    stderr = cli.refused(
        DeviceKeyMissing.message(),
        "enroll", "install", field(paired, "Bundel leerling:"), "--config", "fresh", "--yes",
    )  # fmt: skip
    assert "enroll request" in stderr
    assert not (tmp_path / "fresh" / "certificate.pem").exists()


def test_show_names_the_role_in_dutch(cli: Cli) -> None:
    paired = enrolled_pair(cli)
    cli.ok("enroll", "install", field(paired, "Bundel klas:"), "--config", "classroom", "--yes")
    assert field(cli.ok("enroll", "show", "--config", "classroom"), "Rol:") == "klas"
    requested = cli.ok("enroll", "show", "--config", "student")  # requested, not installed
    assert field(requested, "Rol:") == "leerling"


def test_pair_warns_about_a_device_that_was_revoked_before(cli: Cli, tmp_path: Path) -> None:
    """Issue 15, item 12: a lost laptop revoked, then its request comes back."""
    paired = enrolled_pair(cli)
    student = field(paired, "Leerling:")
    until = (utcnow().date() + dt.timedelta(days=120)).isoformat()
    args = ("fleet", "pair", "--data", "fleet", "--until", until, "--student-request",
            "s.csr", "--classroom-request", "c.csr", "--out", "out2")  # fmt: skip
    again = cli.run(*args)  # a re-pair of devices that are live: no warning
    assert again.returncode == 0 and "eerder is ingetrokken" not in again.stderr
    cli.ok("fleet", "revoke", "--data", "fleet", student)
    done = cli.run(*args[:-1], "out3")
    assert done.returncode == 0, done.stderr  # a warning, not a refusal
    warning = done.stderr
    assert "eerder is ingetrokken" in warning and DeviceId.parse(student).short in warning
    assert "aanvraag van de leerling" in warning and "pair-" in warning
