"""An X client for the launch row, run by the service as a launched app:
``python launch_client.py FIFO``. For each line read from FIFO it maps one window (class
BenchLaunch, the line as title) that sets _NET_WM_PID as toolkits do, and flushes; it
exits when the FIFO closes. One process, many windows: each is a new window of a
launched process, which is what the row times, without a process start per sample.
"""

from __future__ import annotations

import os
import sys

from Xlib import X, Xatom
from Xlib.display import Display


def main() -> None:
    dpy = Display()
    root = dpy.screen().root
    net_wm_pid = dpy.intern_atom("_NET_WM_PID")
    windows = []
    with open(sys.argv[1], encoding="utf-8") as fifo:
        for line in fifo:
            window = root.create_window(
                0, 0, 200, 150, 0, X.CopyFromParent, X.InputOutput, X.CopyFromParent,
                background_pixel=dpy.screen().white_pixel,
            )  # fmt: skip
            window.set_wm_class("benchlaunch", "BenchLaunch")
            window.set_wm_name(line.strip().encode())
            window.change_property(net_wm_pid, Xatom.CARDINAL, 32, [os.getpid()])
            window.map()
            dpy.flush()
            windows.append(window)
    dpy.close()


if __name__ == "__main__":
    main()
