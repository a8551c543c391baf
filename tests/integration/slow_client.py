#!/usr/bin/env python3
# A stream client that never reads: it opens the WebSocket with a tiny
# receive buffer, sleeps until SIGUSR1 (run.sh sends it once the daemon
# has logged the drop) or SECONDS at most, then drains what arrived and
# reports whether the server had closed the connection. Used by run.sh
# to check that a slow reader is dropped while the daemon keeps serving.
#   slow_client.py PORT PATH SECONDS  -> prints "closed" or "open"
import base64
import os
import signal
import socket
import sys

port, path, wait = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", port))
key = base64.b64encode(os.urandom(16)).decode()
s.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
           ).encode())
signal.sigtimedwait({signal.SIGUSR1}, wait)
s.settimeout(3)
state = "open"
try:
    while True:
        if not s.recv(1 << 20):
            state = "closed"
            break
except OSError:
    pass
print(state)
