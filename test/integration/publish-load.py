#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Load for bpftoken-publish's limits, speaking the wire format of src/handoff/protocol.h.

publish-load.py SOCKET hold N SECONDS
    open N connections and send nothing; then one more, whose reply (or "no-reply") is printed as
    "extra: ..."; print "held N" and keep N open for SECONDS, opening a new
    one whenever the publisher closes one; then print "reopened K".
publish-load.py SOCKET flood SECONDS
    connect, send garbage, read the reply, in a loop for SECONDS; print "malformed N busy M" (the
    replies: malformed request, or refused over the per-uid limits).
publish-load.py SOCKET idle
    connect, send nothing, wait up to 30 s; print "eof after S s" or "reply ..." or "no-reply".
"""
import select
import socket
import struct
import sys
import time

REPLY_FMT = "<IIiI4Q480s"


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(30)
    s.connect(path)
    return s


def describe(data):
    if len(data) != struct.calcsize(REPLY_FMT):
        return "no-reply"
    _, _, error, _, _, _, _, _, msg = struct.unpack(REPLY_FMT, data)
    return "error=%d message=%s" % (error, msg.split(b"\0")[0].decode())


def hold(path, n, seconds):
    held = [connect(path) for _ in range(n)]
    time.sleep(1)  # the publisher counts them as idle after a short grace
    extra = connect(path)
    try:
        print("extra: " + describe(extra.recv(4096)), flush=True)
    except socket.timeout:
        print("extra: no-reply", flush=True)
    extra.close()
    print("held %d" % len(held), flush=True)
    # Keep N open: the publisher closes each after its read deadline; open a new one at once.
    end = time.monotonic() + seconds
    reopened = 0
    while time.monotonic() < end:
        r, _, _ = select.select(held, [], [], max(0.0, end - time.monotonic()))
        for s in r:
            if s.recv(4096) == b"":
                held[held.index(s)] = connect(path)
                s.close()
                reopened += 1
    print("reopened %d" % reopened, flush=True)


def flood(path, seconds):
    end = time.monotonic() + seconds
    malformed = busy = 0
    while time.monotonic() < end:
        try:
            s = connect(path)
            s.send(b"\x01garbage for the publisher\xff")
            reply = describe(s.recv(4096))
            if "Malformed request" in reply:
                malformed += 1
            elif "Too many connections" in reply:
                busy += 1
            s.close()
        except OSError:
            pass
    print("malformed %d busy %d" % (malformed, busy), flush=True)


def idle(path):
    s = connect(path)
    t0 = time.monotonic()
    try:
        data = s.recv(4096)
    except socket.timeout:
        print("no-reply")
        return
    if data == b"":
        print("eof after %.1f s" % (time.monotonic() - t0))
    else:
        print("reply " + describe(data))


def main():
    path, mode = sys.argv[1], sys.argv[2]
    if mode == "hold":
        hold(path, int(sys.argv[3]), float(sys.argv[4]))
    elif mode == "flood":
        flood(path, float(sys.argv[3]))
    elif mode == "idle":
        idle(path)
    else:
        sys.exit("unknown mode")


main()
