"""Analysis and live coaching never touch the network: the pose model ships in the package and
nothing is uploaded. Checked twice: Python's audit hooks (any socket connect, bind, send or name
lookup is recorded and refused) and, where strace works, the system calls of the whole process
tree including MediaPipe's and FFmpeg's native code (MediaPipe's own usage uploader included: see
posecoach.vision.offline)."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from clipmaker import ROOT, make_clip, run_cli
from conftest import real_clip

NETWORK_EVENTS = ("socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo",
                  "socket.gethostbyname", "socket.gethostbyaddr", "urllib.Request", "http.client.connect",
                  "ftplib.connect", "smtplib.connect")

GUARD = """
import sys
LOG = {log!r}
def _no_network(event, args):
    if event in {events!r}:
        with open(LOG, "a") as f:
            f.write(f"{{event}} {{args!r}}\\n")
        raise PermissionError(f"network use during a test: {{event}}")
sys.addaudithook(_no_network)
"""


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("clips") / "side.mp4", real_clip("kneeling_stretch_side.mp4"), 2.0)


def guarded(args: list[str], log: Path) -> subprocess.CompletedProcess:
    return run_cli(args, prelude=GUARD.format(log=str(log), events=NETWORK_EVENTS))


def test_the_guard_catches_a_connection(tmp_path: Path) -> None:
    """The hook itself works: a deliberate connection attempt is recorded and refused."""
    log = tmp_path / "net.log"
    code = GUARD.format(log=str(log), events=NETWORK_EVENTS) + (
        "import socket\ntry:\n    socket.create_connection(('127.0.0.1', 9), timeout=1)\nexcept Exception:\n    pass\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)
    assert "socket" in log.read_text()


def test_analyze_opens_no_connection(clip: Path, tmp_path: Path) -> None:
    log = tmp_path / "net.log"
    proc = guarded(["analyze", str(clip), "--out", str(tmp_path / "out"), "--annotate", "--report", "--quiet"], log)
    assert proc.returncode == 0, proc.stderr
    assert not log.exists(), log.read_text()


def test_live_opens_no_connection(clip: Path, tmp_path: Path) -> None:
    log = tmp_path / "net.log"
    proc = guarded(["live", "--video", str(clip), "--no-window", "--session-dir", str(tmp_path / "s"),
                    "--max-seconds", "3"], log)
    assert proc.returncode == 0, proc.stderr
    assert not log.exists(), log.read_text()


INET_CALL = re.compile(r"\b(connect|sendto|sendmsg)\(\d+, \{sa_family=AF_INET6?,.*?(inet_addr|inet_pton)\((AF_INET6, )?\"([^\"]+)\"")
LOOPBACK = ("127.0.0.1", "::1")


def outside_calls(trace: str) -> list[str]:
    """connect/send system calls to a non-loopback internet address (a DNS lookup included)."""
    return [line for line in trace.splitlines() if (m := INET_CALL.search(line)) and m.group(4) not in LOOPBACK]


def test_outside_calls_are_recognised() -> None:
    dns = '7 connect(5, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}, 16) = 0'
    v6 = ('8 connect(5, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), '
          'inet_pton(AF_INET6, "2a00:1450::1", &sin6_addr), sin6_scope_id=0}, 28) = 0')
    local = '9 connect(5, {sa_family=AF_INET, sin_port=htons(9), sin_addr=inet_addr("127.0.0.1")}, 16) = -1'
    assert outside_calls("\n".join([dns, v6, local])) == [dns, v6]


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace not installed")
def test_no_internet_system_calls_in_native_code(clip: Path, tmp_path: Path) -> None:
    trace = tmp_path / "strace.txt"
    proc = subprocess.run(["strace", "-f", "-qq", "-e", "trace=connect,sendto,sendmsg", "-o", str(trace),
                           sys.executable, "-m", "posecoach", "analyze", str(clip), "--out", str(tmp_path / "out"),
                           "--quiet"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    if proc.returncode != 0 and "ptrace" in proc.stderr.lower():
        pytest.skip("ptrace is not permitted here")
    assert proc.returncode == 0, proc.stderr
    calls = outside_calls(trace.read_text())
    assert not calls, calls  # MediaPipe's uploader would look up and contact play.googleapis.com
