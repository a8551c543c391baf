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
#   cluster.py gpus PORT ID...      GPUs of those nodes, summed
#   cluster.py zone PORT ZONE FIELD one field of a zone in GET /v1/zones
#   cluster.py share PORT COUNT CONCURRENCY ORIGIN
#                                   COUNT inferences from ORIGINS[ORIGIN]
#                                   into the zone at PORT, each checked
#                                   against the share rule (see share)
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


def unit_hash(x):
    """The router's number in [0, 1) for a request id."""
    mask = (1 << 64) - 1
    x = (x + 0x9e3779b97f4a7c15) & mask
    x = ((x ^ (x >> 30)) * 0xbf58476d1ce4e5b9) & mask
    x = ((x ^ (x >> 27)) * 0x94d049bb133111eb) & mask
    x ^= x >> 31
    return (x >> 11) / 9007199254740992.0


def zone_of(port, name):
    for z in call(port, "/v1/zones")[1]["zones"]:
        if z["id"] == name:
            return z
    raise KeyError(name)


def share(port, count, conc, origin):
    """Sends `count` requests into the zone at `port` and checks that
    exactly those whose id the share rule picks (hash of the id below
    1 - healthy share x 1.4, the router's overprovision) were served in
    a neighbour, spilled, and every other one in the zone itself; that
    both kinds occurred; and that the zone's healthy share held still
    meanwhile. Prints one line; exits 1 on any difference."""
    home = call(port, "/v1/stats")[1]["zone"]
    before = zone_of(port, home)
    healthy = before["gpus_healthy"] / before["gpus_total"]
    fraction = max(0.0, 1.0 - healthy * 1.4)
    lat, lon = ORIGINS[origin]
    body = {"model": "llama-3.1-8b", "input": "hello", "max_tokens": 48,
            "origin": {"lat": lat, "lon": lon}}
    answers = []
    lock = threading.Lock()

    def worker(n):
        for _ in range(n):
            status, ans = call(port, "/v1/inference", body)
            with lock:
                answers.append((status, ans))

    threads = [threading.Thread(target=worker,
                                args=(count // conc + (i < count % conc),))
               for i in range(conc)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after = zone_of(port, home)
    bad = []
    if (after["gpus_healthy"], after["gpus_total"]) != \
            (before["gpus_healthy"], before["gpus_total"]):
        bad.append("healthy GPUs moved from %d to %d during the batch" %
                   (before["gpus_healthy"], after["gpus_healthy"]))
    spilled = local = 0
    for status, ans in answers:
        if status != 200:
            bad.append("status %d: %s" % (status, ans))
            continue
        picked = unit_hash(ans["id"]) < fraction
        away = ans["zone"] != home
        spilled += away
        local += not away
        if picked != away or ans["spilled"] != away:
            bad.append("id %d (hash %.3f) served in %s, spilled %s" %
                       (ans["id"], unit_hash(ans["id"]), ans["zone"],
                        ans["spilled"]))
    if spilled == 0 or local == 0:
        bad.append("want requests both spilled and served locally")
    print("healthy %d/%d, spill fraction %.2f: %d spilled, %d local%s" %
          (before["gpus_healthy"], before["gpus_total"], fraction, spilled,
           local, "".join("; " + b for b in bad[:5])))
    return 1 if bad else 0


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
    if cmd == "share":
        return share(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]),
                     int(sys.argv[5]))
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
    elif cmd == "gpus":
        want = set(sys.argv[3:])
        print(sum(n["gpus_total"] for n in call(port, "/v1/nodes")[1]["nodes"]
                  if n["id"] in want))
    elif cmd == "zone":
        print(zone_of(port, sys.argv[3])[sys.argv[4]])
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
