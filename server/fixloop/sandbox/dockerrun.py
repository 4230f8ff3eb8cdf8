"""One docker run inside the container: its uid, the wrapper around it, its last words.

Every run (and every long-lived process) executes as a uid of its own, so "kill this run's
whole tree" is `kill -9 -1` issued as that uid: it reaches every process of the run, even ones
that left the session, and nothing else. That holds only while no two live things share a uid,
so `RunUids` hands a uid out only when nothing of its previous use can be alive: it comes back
to the free list only after a kill loop (ours, or the wrapper's own at the end of a run)
confirmed that no process of it is left, and a uid that could not be confirmed is never used
again in this container. The wrapper also refuses to start when its uid has a process already
(one we did not know about), and the host then takes another uid.

The wrapper reports the run's exit status and whether it left the uid empty as its last words
on stderr, marked with a nonce only the wrapper's shell holds, so a run needs neither the end
of the stream nor a request to the engine, and a program cannot forge a success.
"""

from __future__ import annotations

import asyncio
import math
import random
import re
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field

from fixloop.sandbox.base import RunSpec, SandboxUnavailable
from fixloop.sandbox.dockerproc import STDERR, STDOUT, read_frame
from fixloop.sandbox.runenv import allowed_env, run_variables
from fixloop.sandbox.warmpython import BOOT, is_script_run, order_bytes
from fixloop.sandbox.zygote import cpu_seconds, export_steps, shell_word

RUN_UIDS = range(20000, 29000)
# The container's pids limit is this much above a run's own process limit: a fork bomb that
# fills its run's quota still leaves room for the exec that kills it and for the spares.
CONTROL_PIDS = 64
# Shell functions run as a uid. `others`: is a process of this uid alive, other than this shell
# (zombies count: not collected yet)? `empty_uid`: kill them until none is left, clean=1 once
# that is confirmed. kill -1 alone cannot tell: it reports success whenever any other process
# exists in the container, whoever owns it.
UID_FUNCTIONS = r"""
others() {
  for p in /proc/[0-9]*; do
    if [ "$p" != "/proc/$$" ] && [ -O "$p" ]; then return 0; fi
  done
  return 1
}
empty_uid() {
  n=0; clean=0
  while [ $n -lt 2000 ]; do
    if ! others; then clean=1; return; fi
    kill -9 -1 2>/dev/null; n=$((n+1))
    if [ $((n % 50)) -eq 0 ]; then sleep 0.005; fi
  done
}
"""
# The scratch directory ("$d") and the run's limits, as the run's uid. The scratch name ends in a
# random part nobody can create first; earlier scratch of this uid (left by a run killed at the
# wall clock) goes now. packages: pip's target when the run has a package directory (it must
# exist before Python starts: a missing path entry is cached as "nothing here").
_PREPARE = r"""
umask 077
for old in "${d%-*}"-*; do
  if [ -O "$old" ]; then chmod -R u+rwx "$old"; rm -rf "$old"; fi
done 2>/dev/null
mkdir "$d" "$d/home" "$d/packages" || exit 125
ulimit -c 0; ulimit -t "$CPU_S"; ulimit -f "$FILE_BLOCKS"; ulimit -n "$NOFILE"
ulimit -v "$MEM_KB"; ulimit -p "$NPROC" 2>/dev/null
unset CPU_S FILE_BLOCKS NOFILE MEM_KB NPROC
"""
# Starts "$@" in the background with the shell's stdin. The run's processes yield the CPU to
# the container's control execs (the kill, the staging): a fork bomb then cannot hold off the
# exec that ends it. Niceness only splits the container's own share, so the run is not slowed
# against the rest of the machine. A background job's stdin is /dev/null before its
# redirections apply: keep ours on fd 3.
_LAUNCH = r"""
if command -v nice >/dev/null 2>&1; then set -- nice -n 19 "$@"; fi
exec 3<&0
"$@" <&3 3<&- &
pid=$!
"""
# Once the program has ended: every process of this uid but the wrapper dies, so clean=1 in the
# last words means that nothing of the run is alive. Marks on both streams: the engine forwards
# stdout and stderr independently, so the last words on stderr can arrive before the program's
# last output on stdout.
_FINISH = r"""
empty_uid
printf '\000fixloop-end:%s\n' "$nonce"
printf '\000fixloop-exit:%s:%d:%d\n' "$nonce" "$rc" "$clean" >&2
exit $rc
"""
_BUSY_MARK = r"""printf '\000fixloop-busy:%s\n' "$nonce" >&2; exit 125"""
WRAPPER = (
    UID_FUNCTIONS
    + f"if others; then {_BUSY_MARK}; fi\n"
    + 'd="$1"; cwd="$2"; shift 2\n'
    + _PREPARE
    + 'cd "$cwd" || exit 125\n'
    + _LAUNCH
    + "wait $pid\nrc=$?\n"
    + _FINISH
)
# A spare exec reads one order line (`set --` the wrapper's arguments, `export` the run's
# environment; `read` takes one byte at a time, so what follows is the program's stdin), then
# becomes the wrapper.
SPARE = "NL='\n'\nIFS= read -r order || exit 0\neval \"$order\"\n" + WRAPPER
# A warm spare (see `warm_spare_command`) has its uid, scratch, limits and environment before
# any order: it checks the uid, prepares, and starts `python -c BOOT FIFO`, which waits on the
# fifo. The order line then carries only the nonce (a program of this uid could read the
# shell's arguments, never a variable it was not given); only after the shell has read its
# line does the fifo let the interpreter read its own order (see `warmpython`) from the same
# stdin, then the program's stdin. The shell keeps the fifo open until the program ends, so the
# signal waits in the fifo even for an interpreter that opens it late. A uid found busy stays
# so: the spare answers its order with the busy mark, and the host takes another spare.
WARM_SPARE = (
    UID_FUNCTIONS
    + 'd="$1"; boot="$2"\n'
    + "if others; then\n"
    + '  IFS= read -r order || exit 0\n  eval "$order"\n  '
    + _BUSY_MARK
    + "\nfi\n"
    + _PREPARE
    + 'mkfifo "$d/go" || exit 125\n'
    + 'set -- python3 -c "$boot" "$d/go"\n'
    + _LAUNCH
    + 'IFS= read -r order || { empty_uid; exit 0; }\neval "$order"\n'
    + 'exec 4<>"$d/go"\nprintf go >&4\n'
    + "wait $pid\nrc=$?\nexec 4>&-\n"
    + _FINISH
)
_TRAILER = re.compile(rb"\x00fixloop-exit:([0-9a-f]*):(\d+):([01])\n$")
_BUSY = re.compile(rb"^\x00fixloop-busy:([0-9a-f]*)\n")
_MARK_ROOM = 128  # bytes of the last frames kept to find the marks (each is under 64)


def kill_script(grace: float) -> str:
    """Shell run as a uid: end every process of it; exit 0 once none is left, 1 if that could
    not be confirmed. With `grace`, SIGTERM first and SIGKILL that long after."""
    steps = math.ceil(grace / 0.05)
    first = (  # the grace ends early once every process is gone
        f"kill -TERM -1 2>/dev/null; g=0\n"
        f"while [ $g -lt {steps} ] && others; do sleep 0.05; g=$((g+1)); done\n"
        if grace > 0
        else ""
    )
    return UID_FUNCTIONS + first + 'empty_uid\n[ "$clean" = 1 ]\n'


def run_env(spec: RunSpec, scratch: str, marker: str | None = None) -> dict[str, str]:
    """The run's environment: the allow-list, plus the limits the wrapper applies."""
    limits = spec.limits
    packages = f"{scratch}/packages" if spec.packages is not None else None
    env = allowed_env(
        home=f"{scratch}/home",
        tmp=scratch,
        path_dirs=[],
        extra=run_variables(spec, packages),
        marker=marker if marker is not None else uuid.uuid4().hex,
    )
    env.update(
        CPU_S=str(cpu_seconds(limits)),
        FILE_BLOCKS=str(limits.file_size_mb * 2048),
        NOFILE=str(limits.open_files),
        MEM_KB=str(limits.memory_mb * 1024),
        NPROC=str(limits.processes),
    )
    return env


def program(spec: RunSpec) -> list[str]:
    return ["python3", *spec.argv] if spec.use_python else list(spec.argv)


def scratch_dir(uid: int) -> str:
    return f"/tmp/u{uid}-{uuid.uuid4().hex[:12]}"


def long_lived_command(spec: RunSpec, uid: int, directory: str) -> list[str]:
    """The exec command of a long-lived process (its stdin is the exec's)."""
    scratch = scratch_dir(uid)
    assignments = [f"{k}={v}" for k, v in run_env(spec, scratch).items()]
    wrapper = ["sh", "-c", WRAPPER, "fixloop-run", scratch, directory]
    return ["env", "-i", *assignments, *wrapper, *program(spec)]


def order_line(spec: RunSpec, uid: int, directory: str, nonce: str) -> bytes:
    """The line a spare reads: the wrapper's arguments, then the run's environment."""
    scratch = scratch_dir(uid)
    words = " ".join(shell_word(word) for word in (scratch, directory, *program(spec)))
    steps = [f"nonce={nonce}", f"set -- {words}", *export_steps(run_env(spec, scratch))]
    return ("; ".join(steps) + "\n").encode()


WarmProfile = tuple[bool, tuple[tuple[str, str], ...]]


def warm_profile(spec: RunSpec) -> WarmProfile | None:
    """What a warm spare must have started with to serve `spec`: its network and its whole
    environment but the scratch and marker (the limits are in it); None for a run that is not
    `python FILE` and so never takes a warm spare."""
    if not (spec.use_python and is_script_run(program(spec))):
        return None
    return spec.network, tuple(sorted(run_env(spec, "/scratch", marker="").items()))


def warm_spare_command(spec: RunSpec, uid: int) -> tuple[list[str], dict[str, str]]:
    """The exec command of a warm spare for runs like `spec`, and the environment its
    interpreter starts with (the per-run HOME, TMPDIR and marker are its own already)."""
    scratch = scratch_dir(uid)
    env = run_env(spec, scratch)
    assignments = [f"{k}={v}" for k, v in env.items()]
    return ["env", "-i", *assignments, "sh", "-c", WARM_SPARE, "fixloop-run", scratch, BOOT], env


def warm_order(spec: RunSpec, directory: str, nonce: str, env: dict[str, str]) -> bytes:
    """What a warm spare reads: the shell's line (the nonce), then the interpreter's order."""
    return f"nonce={nonce}\n".encode() + order_bytes(program(spec), cwd=directory, env=env)


class RunUids:
    """The run uids of one sandbox: handed out in turn, never while something of them lives.

    Thread-safe: long-lived processes give their uid back from the thread that killed them.
    """

    def __init__(self, uids: range = RUN_UIDS) -> None:
        free = deque(uids)
        # Servers on one machine share the uids' process counts (RLIMIT_NPROC is per uid):
        # start each sandbox somewhere else in the range.
        free.rotate(random.randrange(len(free)) if free else 0)
        self._free = free
        self._held: set[int] = set()
        self._lock = threading.Lock()

    def take(self) -> int:
        with self._lock:
            if not self._free:
                raise SandboxUnavailable(
                    "docker sandbox: every run uid is in use or may still have live processes; "
                    "close the sandbox (a new one starts a fresh container)"
                )
            uid = self._free.popleft()
            self._held.add(uid)
            return uid

    def release(self, uid: int, *, clean: bool) -> None:
        """Give `uid` back; `clean` says nothing of it can be alive (else it is retired)."""
        with self._lock:
            if uid not in self._held:
                return
            self._held.discard(uid)
            if clean:
                self._free.append(uid)

    @property
    def free(self) -> int:
        with self._lock:
            return len(self._free)

    @property
    def held(self) -> frozenset[int]:
        with self._lock:
            return frozenset(self._held)


@dataclass
class SpareExec:
    """An exec waiting, as its own uid, for one run's order on its stdin."""

    exec_id: str
    uid: int
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    # A warm spare's interpreter environment (see `warm_spare_command`); None for a plain one.
    warm_env: dict[str, str] | None = None


@dataclass
class FrameCapture:
    """A run's output frames, both streams capped together, and the wrapper's marks."""

    cap: int
    nonce: str
    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    truncated: bool = False
    over: asyncio.Event = field(default_factory=asyncio.Event)
    _tails: dict[int, bytes] = field(default_factory=lambda: {STDOUT: b"", STDERR: b""})

    @property
    def _end_mark(self) -> bytes:
        return b"\x00fixloop-end:" + self.nonce.encode() + b"\n"

    async def pump(self, reader: asyncio.StreamReader) -> None:
        """Read frames until the wrapper's marks on both streams (or the end of the stream):
        the engine closes the stream only some milliseconds after the exec has ended."""
        while (frame := await read_frame(reader)) is not None:
            stream, payload = frame
            if stream not in (STDOUT, STDERR):
                continue
            sink = self.stdout if stream == STDOUT else self.stderr
            # The marks get room of their own: they never push a run over its cap.
            room = self.cap + _MARK_ROOM - len(self.stdout) - len(self.stderr)
            if len(payload) > room:
                sink.extend(payload[: max(room, 0)])
                self.truncated = True
                self.over.set()  # keep reading (and discarding) while the run is killed
            else:
                sink.extend(payload)
            self._tails[stream] = (self._tails[stream] + payload)[-_MARK_ROOM:]
            if self._tails[STDOUT].endswith(self._end_mark) and self.last_words() is not None:
                return

    def last_words(self) -> tuple[int, bool] | None:
        """(exit status, nothing of the uid left) as the wrapper reported them; None when it
        did not speak (killed, or cut off by the output cap)."""
        trailer = _TRAILER.search(self._tails[STDERR])
        if trailer is None or trailer.group(1) != self.nonce.encode():
            return None
        return int(trailer.group(2)), trailer.group(3) == b"1"

    def finish(self) -> None:
        """Take the wrapper's marks out of the output and hold what is left to the cap."""
        trailer = _TRAILER.search(self._tails[STDERR])
        if trailer is not None and self.stderr.endswith(trailer.group(0)):
            del self.stderr[-len(trailer.group(0)) :]
        if self.stdout.endswith(self._end_mark):
            del self.stdout[-len(self._end_mark) :]
        excess = len(self.stdout) + len(self.stderr) - self.cap
        if excess > 0:
            self.truncated = True
            cut = min(excess, len(self.stderr))
            del self.stderr[len(self.stderr) - cut :]
            del self.stdout[len(self.stdout) - (excess - cut) :]

    def uid_was_busy(self) -> bool:
        """True when the wrapper refused to start: its uid already had a process."""
        busy = _BUSY.match(self.stderr)
        return busy is not None and busy.group(1) == self.nonce.encode()
