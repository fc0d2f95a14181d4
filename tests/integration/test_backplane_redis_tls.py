"""The deployment docs/operations.md describes: Redis speaking only TLS, with a
password, its certificate from a private CA given in the URL (``ssl_ca_certs``).

A real redis-server with ``--tls-port`` and ``--requirepass``: a pair split across two
instances relays through it; a wrong password, a certificate from another CA and a
certificate for another name each keep the instance from serving a split view, and
its log says which it was without the password or the address. The command line
takes the URL from a file (``--redis-file``), so the password is not in ``ps``, and
refuses URLs that would turn the certificate check off.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
import redis.asyncio as aioredis
from redis.exceptions import AuthenticationError

from signaling.backplane.redisbus import RedisBackplane
from signaling.errors import BackplaneUrlFileUnreadable, BackplaneUrlUnsafe
from signaling.protocol import CloseCode
from signaling.server import RunningServer, start_server
from tests.integration.test_backplane_redis import health, split_pair_hears_each_other
from tests.integration.test_cli_server import REPO, command, read_port, run_server, tree
from tests.support.pki import TestFleet
from tests.support.redis import FAST, TlsRedis, tls_files
from tests.support.signaling import no_addresses_in_logs
from tests.support.wsdevice import closed_with, device, wait_until

no_addresses = pytest.fixture(autouse=True)(no_addresses_in_logs)

PASSWORD = "Wachtwoord/met:tekens@en=meer"  # URL-quoted in the URL, as an operator must


@pytest.fixture
def tls_redis(tmp_path: Path) -> Iterator[TlsRedis]:
    server = TlsRedis(tmp_path / "redis", PASSWORD)
    server.start()
    yield server
    server.stop()


async def tls_instance(folder: Path, url: str, name: str) -> RunningServer:
    return await start_server(
        folder, "127.0.0.1", 0, FAST, backplane=RedisBackplane(url, name), health_port=0
    )


async def test_a_split_pair_relays_through_redis_with_tls_and_a_password(
    tls_redis: TlsRedis, fleet: TestFleet, tmp_path: Path
) -> None:
    plain = aioredis.Redis(host="127.0.0.1", port=tls_redis.port, ssl=True,
                           ssl_ca_certs=str(tls_redis.ca))  # fmt: skip
    with pytest.raises(AuthenticationError):  # the password is really asked for
        await plain.ping()
    await plain.aclose()
    shutil.copytree(fleet.folder, tmp_path / "fleet-b")
    a = await tls_instance(fleet.folder, tls_redis.tls_url(), "i-a")
    b = await tls_instance(tmp_path / "fleet-b", tls_redis.tls_url(), "i-b")
    try:
        await wait_until(lambda: a.hub.backplane.healthy and b.hub.backplane.healthy, 10)
        await split_pair_hears_each_other(a, b, fleet)
    finally:
        await b.stop()
        await a.stop()


def other_ca(tmp_path: Path) -> Path:
    folder = tmp_path / "other-ca"
    folder.mkdir()
    return tls_files(folder, ("127.0.0.1",))[0]


@pytest.mark.parametrize(
    ("wrong", "reason"),
    [
        ("password", "password missing or refused"),
        ("no password", "password missing or refused"),
        ("ca", "TLS: certificate from an untrusted CA"),
        ("name", "TLS: certificate does not name this host"),
    ],
)
async def test_a_redis_the_instance_cannot_trust_or_enter_is_not_served_and_logged(
    fleet: TestFleet,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    wrong: str,
    reason: str,
) -> None:
    names = ("redis.example.org",) if wrong == "name" else ("127.0.0.1",)
    server = TlsRedis(tmp_path / "redis", PASSWORD, names)
    server.start()
    url = {
        "password": server.tls_url(password="niet-het-wachtwoord"),
        "no password": server.tls_url().replace(f":{server.url_password}@", ""),
        "ca": server.tls_url(ca=other_ca(tmp_path)),
        "name": server.tls_url(),
    }[wrong]
    running = await tls_instance(fleet.folder, url, "i-a")
    try:
        await wait_until(lambda: "Redis not reachable" in caplog.text, 10)
        assert f"Error: {reason}), retrying" in caplog.text, caplog.text
        assert not running.hub.backplane.healthy
        assert await health(running) == 503  # a load balancer leaves it out
        async with device(running, fleet.pair()[0]) as ws:  # no split view: elsewhere
            assert await closed_with(ws) == CloseCode.TRY_AGAIN
        # our lines; redis-py's own DEBUG lines name host and port, and the server's
        # program log keeps that library at WARNING (privacy.applog.QUIET_LIBRARIES)
        ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("signaling"))
        assert PASSWORD not in ours and "niet-het-wachtwoord" not in ours
        assert str(server.port) not in ours
    finally:
        await running.stop()
        server.stop()


# --- the command line ---------------------------------------------------------------


async def server_process(fleet: TestFleet, *args: str) -> asyncio.subprocess.Process:
    """``klasgenoot server`` on the fleet, once it listens."""
    proc = await asyncio.create_subprocess_exec(
        *command(), "server", "--data", str(fleet.folder), "--port", "0", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    assert proc.stdout is not None
    await read_port(proc.stdout, "listening on port ")
    return proc


async def stopped(proc: asyncio.subprocess.Process) -> None:
    proc.terminate()
    await asyncio.wait_for(proc.wait(), 30)


def server_log(fleet: TestFleet) -> str:
    return "".join(p.read_text() for p in (fleet.folder / "state" / "logs").iterdir())


async def test_the_server_reads_its_redis_url_from_a_file_and_keeps_it_out_of_ps(
    tls_redis: TlsRedis, fleet: TestFleet, tmp_path: Path
) -> None:
    secret = tmp_path / "redis.url"  # as systemd's LoadCredential= hands it over
    secret.write_text(tls_redis.tls_url() + "\n")
    secret.chmod(0o400)
    proc = await server_process(fleet, "--health-port", "0", "--redis-file", str(secret))
    try:
        assert proc.stdout is not None
        health_port = await read_port(proc.stdout, "health on port ")
        cmdline = await asyncio.to_thread(Path(f"/proc/{proc.pid}/cmdline").read_bytes)
        assert tls_redis.url_password.encode() not in cmdline and b"rediss" not in cmdline

        async def healthy() -> bool:
            async with (
                aiohttp.ClientSession() as session,
                session.get(f"http://127.0.0.1:{health_port}/health") as resp,
            ):
                return resp.status == 200

        deadline = asyncio.get_running_loop().time() + 15
        while not await healthy():  # up once its backplane is: TLS and password passed
            assert asyncio.get_running_loop().time() < deadline, "never healthy"
            await asyncio.sleep(0.1)
    finally:
        await stopped(proc)
    log = server_log(fleet)
    assert "backplane up" in log
    assert PASSWORD not in log and tls_redis.url_password not in log
    assert "password is on the command line" not in log


@pytest.mark.parametrize(
    ("how", "warning"),
    [
        ("--redis", "the Redis password is on the command line"),
        ("--redis-file", "the Redis URL file is readable by other users"),
    ],
)
async def test_a_password_others_can_read_is_warned_about(
    tls_redis: TlsRedis, fleet: TestFleet, tmp_path: Path, how: str, warning: str
) -> None:
    path = tmp_path / "redis.url"
    path.write_text(tls_redis.tls_url())
    path.chmod(0o644)
    given = tls_redis.tls_url() if how == "--redis" else str(path)
    await stopped(await server_process(fleet, "--no-health", how, given))
    log = server_log(fleet)
    assert warning in log
    assert tls_redis.url_password not in log


@pytest.mark.parametrize(
    "content",
    [None, b"", b"  \n", b"rediss://:a@h:6380/0\nrediss://:b@h:6380/0\n", b"\xff\xfe", b"x" * 5000],
    ids=["missing", "empty", "blank", "two lines", "not text", "too large"],
)
async def test_an_unreadable_redis_file_is_refused_in_dutch_and_changes_nothing(
    fleet: TestFleet, tmp_path: Path, content: bytes | None
) -> None:
    path = tmp_path / "redis.url"
    if content is not None:
        path.write_bytes(content)
    before = tree(fleet.folder)
    code, stdout, stderr = await run_server(
        "--data", str(fleet.folder), "--port", "0", "--no-health", "--redis-file", str(path)
    )  # fmt: skip
    assert code == 1, stderr
    assert stderr.startswith(f"klasgenoot: {BackplaneUrlFileUnreadable.message()}"), stderr
    assert "Traceback" not in stderr and ":a@h" not in stderr + stdout  # never the content
    assert tree(fleet.folder) == before


@pytest.mark.parametrize(
    "option",
    ["ssl_cert_reqs=none", "ssl_cert_reqs=optional", "ssl_check_hostname=false",
     "ssl_check_hostname=", "ssl_exclude_verify_flags=VERIFY_X509_STRICT"],
)  # fmt: skip
async def test_a_url_that_turns_the_certificate_check_off_is_refused(
    fleet: TestFleet, option: str
) -> None:
    before = tree(fleet.folder)
    secret = "redis-password-123"
    code, stdout, stderr = await run_server(
        "--data", str(fleet.folder), "--port", "0", "--no-health",
        "--redis", f"rediss://:{secret}@127.0.0.1:6380/0?{option}",
    )  # fmt: skip
    assert code == 1, stderr
    assert stderr.startswith(f"klasgenoot: {BackplaneUrlUnsafe.message()}"), stderr
    assert secret not in stderr + stdout
    assert tree(fleet.folder) == before


async def test_redis_and_redis_file_exclude_each_other(fleet: TestFleet, tmp_path: Path) -> None:
    both = ["--redis", "redis://127.0.0.1:1/0", "--redis-file", str(tmp_path / "u")]
    code, _, stderr = await run_server("--data", str(fleet.folder), *both)
    assert code == 2 and "--redis-file" in stderr and "kan niet samen met" in stderr, stderr
