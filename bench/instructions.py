"""Instructions per job in the server's process, counted by callgrind: a figure that does not move
with the machine's load, for comparing two versions of the hot path.

    .venv/bin/python -m bench.instructions [--jobs 2000] [--queues 1] [--server-cmd CMD]

The server runs under `valgrind --tool=callgrind` with instrumentation off; a warm-up of 200 jobs
runs first, then counting is switched on (`callgrind_control -i on`) for `--jobs` jobs: one
producer PUSHes a job, one worker FETCHes and ACKs it, one at a time, as in the standard
scenario (with `--queues 5`, the jobs go round five queues and every FETCH names all five, as
the faktory scenario's do). The count covers user space only: the server's Python, the compiled
hot path, uvloop, hiredis, orjson and libc, in every thread; the kernel's side of the syscalls
is not in it (the bench's µs/job has it). The engine runs outside valgrind, uncounted.

The reference row is the same server with FAKTORY_DESKTOP_PURE_PYTHON=1: the same code as
source, in the same run. Each figure repeats to within about 0.1%.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.fwp_client import FWPClient, connect
from bench.server_proc import default_command, free_port

WARM_UP = 200
# --annotate keeps the run's callgrind file here, for callgrind_annotate or kcachegrind
KEPT = Path(tempfile.gettempdir(), "faktory-instructions.callgrind")
_COLLECTED = re.compile(r"Collected : (\d+)")
_JID = re.compile(rb'"jid":"([^"]+)"')


async def run_jobs(port: int, count: int, first: int, queues: list[str]) -> None:
    producer = await connect("127.0.0.1", port)
    worker = await connect("127.0.0.1", port, wid="instructions-worker")
    fetch = b"FETCH " + " ".join(queues).encode()
    try:
        for seq in range(first, first + count):
            queue = queues[seq % len(queues)].encode()
            await producer.call(b'PUSH {"jid":"instr%011d","jobtype":"BenchJob","queue":"%s",'
                                b'"args":[%d],"retry":0}' % (seq, queue, seq))
            job = await worker.call(fetch)
            jid = _JID.search(job if isinstance(job, bytes) else b"")
            if jid is None:
                raise RuntimeError(f"FETCH returned {job!r}")
            await worker.call(b'ACK {"jid":"' + jid.group(1) + b'"}')
    finally:
        for client in (producer, worker):
            client.close()


def count(command: str, jobs: int, queues: list[str], env: dict[str, str],
          annotate: int = 0) -> float:
    """Instructions per job of one server, started from `command` (bench's placeholders);
    with `annotate`, also prints its top functions by their own instructions."""
    with tempfile.TemporaryDirectory(prefix="faktory-instructions-") as tmp:
        port, log = free_port(), Path(tmp, "valgrind.log")
        server = shlex.split(command.format(host="127.0.0.1", port=port, webport=free_port(),
                                            data=f"{tmp}/data", conf=f"{tmp}/conf"))
        argv = ["valgrind", "--tool=callgrind", "--instr-atstart=no",
                f"--callgrind-out-file={tmp}/callgrind.out", f"--log-file={log}", *server]
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            asyncio.run(_until_listening(port, proc))
            asyncio.run(run_jobs(port, WARM_UP, 0, queues))
            subprocess.run(["callgrind_control", "-i", "on", str(proc.pid)], check=True,
                           capture_output=True)
            asyncio.run(run_jobs(port, jobs, WARM_UP, queues))
            subprocess.run(["callgrind_control", "-i", "off", str(proc.pid)], check=True,
                           capture_output=True)
        finally:
            proc.terminate()
            proc.wait(60)
        found = _COLLECTED.search(log.read_text(errors="replace"))
        if found is None:
            raise RuntimeError(f"callgrind reported no count:\n{log.read_text()[-2000:]}")
        if annotate:
            shutil.copy(Path(tmp, "callgrind.out"), KEPT)
            print_top(KEPT, annotate, jobs)
        return int(found.group(1)) / jobs


def print_top(out: Path, top: int, jobs: int) -> None:
    """The functions with the most instructions of their own, per job (callgrind_annotate)."""
    text = subprocess.run(["callgrind_annotate", "--threshold=100", str(out)],
                          capture_output=True, text=True).stdout
    rows = [line for line in text.splitlines() if re.match(r"\s*[\d,]+ \(", line)]
    print(f"top {top} functions, own instructions per job:")
    for line in rows[1:top + 1]:  # the first row is the program's total
        figure, _, rest = line.strip().partition(" ")
        name = rest.split(")", 1)[1].strip() if ")" in rest else rest
        print(f"  {int(figure.replace(',', '')) / jobs:>9,.0f}  {name[:110]}")


async def _until_listening(port: int, proc: subprocess.Popen[bytes], timeout: float = 120.0
                           ) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with status {proc.returncode}")
        try:
            client: FWPClient = await connect("127.0.0.1", port, timeout=2.0)
            client.close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.instructions",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--queues", type=int, default=1, help="queues per FETCH (faktory: 5)")
    parser.add_argument("--annotate", type=int, default=0, metavar="N",
                        help="print the N functions with the most instructions (as built)")
    parser.add_argument("--server-cmd", default=default_command(),
                        help="the server, with bench's {host} {port} {webport} {data} {conf}")
    args = parser.parse_args()
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    queues = ["default"] if args.queues == 1 else [f"queue{i}" for i in range(args.queues)]
    rows = (("as built", dict(os.environ)),
            ("pure Python", {**os.environ, "FAKTORY_DESKTOP_PURE_PYTHON": "1"}))
    results = {label: count(args.server_cmd, args.jobs, queues, env,
                            args.annotate if label == "as built" else 0) for label, env in rows}
    reference = results["pure Python"]
    print(f"{args.jobs:,} jobs, {len(queues)} queue(s) per FETCH; server instructions per job "
          "(user space, callgrind)")
    for label, per_job in results.items():
        print(f"  {label:12s} {per_job:>10,.0f}   {per_job / reference:.3f} x pure Python")
    return 0


if __name__ == "__main__":
    sys.exit(main())
