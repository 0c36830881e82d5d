#!/usr/bin/python3
"""Runs a command as a user would and prints what it cost, as JSON: wall time, CPU time (user
and system) and peak resident memory, from the kernel's own accounting of that one process
(wait4), with its standard output.

    whole_process.py COMMAND [ARGS...]
"""
import json
import os
import subprocess
import sys
import time

start = time.monotonic()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
out = child.stdout.read()
_, status, usage = os.wait4(child.pid, 0)
wall = time.monotonic() - start
json.dump({"wall_ms": round(wall * 1000), "cpu_ms": round((usage.ru_utime + usage.ru_stime) * 1000),
           "peak_mb": round(usage.ru_maxrss / 1024), "exit_code": os.waitstatus_to_exitcode(status),
           "stdout": out.decode("utf-8", "replace")}, sys.stdout)
