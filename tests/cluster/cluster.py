#!/usr/bin/env python3
# Helpers of the cluster test (tests/cluster/run.sh): drive inference
# through zones and read the roles' JSON answers.
#
#   cluster.py load OUT REQUESTS CONCURRENCY PORT...
#   cluster.py seqs PORT            "id seq reports gaps" per node
#   cluster.py get PORT PATH FIELD  one field of a JSON answer (a.b.c)
#   cluster.py events PORT TYPE     node ids of events of that type
#   cluster.py said PORT TYPE       "zone node message" of those events
#                                   (node "-" for a zone's own event)
#   cluster.py one PORT TOKENS [ORIGIN]
#                                   one inference from ORIGINS[ORIGIN]
#                                   (2, east, by default); prints the
#                                   status and the answer
#   cluster.py busy PORT            ids of nodes with GPUs in use
#   cluster.py request ID LAT LON   an inference request for 48 tokens
#                                   of llama-3.1-8b from that origin, as
#                                   the hex of its MessagePack form
#
# The token comes from ARCNET_TOKEN. `load` writes a summary to OUT and
# exits 1 when a request got no answer or an answer that is neither a
# receipt nor an explicit {"error":{"code":...}}.
import json
import os
import struct
import sys
import threading
import time
import urllib.error
import urllib.request

TOKEN = os.environ.get("ARCNET_TOKEN", "")
ORIGINS = [(45.5, -122.7), (39.1, -94.6), (40.7, -74.0)]


def call(port, path, body=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        "http://127.0.0.1:%d%s" % (port, path), data=data,
        headers={"Authorization": "Bearer " + TOKEN,
                 "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def load(out, count, conc, ports):
    lock = threading.Lock()
    res = {"ok": 0, "errors": {}, "unanswered": 0, "replaced": 0,
           "spilled": 0, "bad": []}
    nxt = [0]

    def worker():
        while True:
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= count:
                return
            port = ports[i % len(ports)]
            lat, lon = ORIGINS[i % len(ORIGINS)]
            body = {"model": "llama-3.1-8b", "input": "hello",
                    "max_tokens": 48, "origin": {"lat": lat, "lon": lon}}
            try:
                status, ans = call(port, "/v1/inference", body)
            except Exception as e:  # no answer at all
                with lock:
                    res["unanswered"] += 1
                    res["bad"].append("port %d: %s" % (port, e))
                continue
            with lock:
                if status == 200 and "node" in ans:
                    res["ok"] += 1
                    res["replaced"] += ans.get("placements", 1) > 1
                    res["spilled"] += bool(ans.get("spilled"))
                elif status >= 400 and "code" in ans.get("error", {}):
                    code = ans["error"]["code"]
                    res["errors"][code] = res["errors"].get(code, 0) + 1
                else:
                    res["bad"].append("status %d: %s" % (status, ans))

    threads = [threading.Thread(target=worker) for _ in range(conc)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with open(out, "w") as f:
        json.dump(res, f)
    return 0 if res["unanswered"] == 0 and not res["bad"] else 1


def pack(value):
    """MessagePack of the few types a request holds."""
    if isinstance(value, float):
        return b"\xcb" + struct.pack(">d", value)
    if isinstance(value, int):
        return value.to_bytes(1, "big") if value < 128 else \
            b"\xcf" + struct.pack(">Q", value)
    data = value.encode()
    return bytes([0xa0 | len(data)]) + data


def request_hex(rid, lat, lon):
    now_us = int(time.time() * 1e6)
    fields = [4, 1, rid, rid, "llama-3.1-8b", "normal", lat, lon, now_us,
              0, 48]
    return (bytes([0x90 | len(fields)]) +
            b"".join(pack(f) for f in fields)).hex()


def field(obj, path):
    for part in path.split("."):
        obj = obj[part]
    return obj


def main():
    cmd = sys.argv[1]
    if cmd == "load":
        ports = [int(p) for p in sys.argv[5:]]
        return load(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), ports)
    if cmd == "request":
        print(request_hex(int(sys.argv[2]), float(sys.argv[3]),
                          float(sys.argv[4])))
        return 0
    port = int(sys.argv[2])
    if cmd == "seqs":
        for n in call(port, "/v1/nodes")[1]["nodes"]:
            print(n["id"], n["seq"], n["reports"], n["gaps"])
    elif cmd == "get":
        print(field(call(port, sys.argv[3])[1], sys.argv[4]))
    elif cmd == "one":
        lat, lon = ORIGINS[int(sys.argv[4]) if len(sys.argv) > 4 else 2]
        body = {"model": "llama-3.1-8b", "input": "hello",
                "max_tokens": int(sys.argv[3]),
                "origin": {"lat": lat, "lon": lon}}
        status, ans = call(port, "/v1/inference", body)
        print(status, json.dumps(ans))
    elif cmd == "busy":
        for n in call(port, "/v1/nodes")[1]["nodes"]:
            if n["gpus_free"] < n["gpus_total"]:
                print(n["id"])
    elif cmd == "events":
        for ev in call(port, "/v1/events")[1]["events"]:
            if ev["type"] == sys.argv[3]:
                print(ev["node"])
    elif cmd == "said":
        for ev in call(port, "/v1/events")[1]["events"]:
            if ev["type"] == sys.argv[3]:
                print(ev["zone"], ev["node"] or "-", ev["message"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
