"""The child side of a launch, run as ``python -I -S _trampoline.py GO REPORT PROGRAM ARGV...``.

It forks once more and exits, so the launched process is never a child of the service
(nor its zombie). The grandchild leads a session of its own, reports its pid, waits until
the service says "go" (by then systemd has moved it into its scope), and execs PROGRAM
with ARGV as given: no shell, nothing expanded. If exec fails the errno goes back on the
report pipe; if the service closes the go pipe without "go", nothing runs at all.

Standard library only, and only what a bare interpreter (-S, no site) can import.
"""

import os
import signal
import sys


def _write_all(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data) :]


def _wait_for_go(fd: int) -> bool:
    received = b""
    while len(received) < 2:
        chunk = os.read(fd, 2 - len(received))
        if not chunk:
            return False
        received += chunk
    return received == b"go"


def main() -> None:
    go_fd, report_fd = int(sys.argv[1]), int(sys.argv[2])
    program, argv = sys.argv[3], sys.argv[4:]
    child = os.fork()
    if child:
        _write_all(report_fd, b"pid %d\n" % child)
        os._exit(0)
    os.setsid()
    # Python ignores SIGPIPE and SIGXFSZ, and an ignored signal stays ignored across
    # exec: give the program the defaults a shell would.
    for sig in (signal.SIGPIPE, signal.SIGXFSZ):
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    if not _wait_for_go(go_fd):
        os._exit(1)
    os.close(go_fd)
    os.set_inheritable(report_fd, False)  # closed by a successful exec: the service sees EOF
    try:
        os.execv(program, argv)
    except OSError as exc:
        _write_all(report_fd, b"err %d\n" % (exc.errno or 0))
    os._exit(127)


if __name__ == "__main__":
    main()
