#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A hostile or plain client of bpftoken-publish, speaking the wire format of src/handoff/protocol.h.

raw-client.py SOCKET MODE   with MODE one of:
  valid     a correct request
  garbage   a few random bytes
  short     a truncated request
  badmagic  the right size, the wrong magic
  fds       a correct request with two file descriptors attached
Prints "error=N message=..." from the reply, or "no-reply".
"""
import os
import socket
import struct
import sys

MAGIC = 0x4B545042
REQUEST = struct.pack("<IIII", MAGIC, 1, 1, 0)
REPLY_FMT = "<IIiI4Q480s"

path, mode = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(30)
s.connect(path)
if mode == "valid":
    s.send(REQUEST)
elif mode == "garbage":
    s.send(b"\x01hello, publisher\xff")
elif mode == "short":
    s.send(REQUEST[:10])
elif mode == "badmagic":
    s.send(struct.pack("<IIII", 0xDEADBEEF, 1, 1, 0))
elif mode == "fds":
    r, w = os.pipe()
    s.sendmsg([REQUEST], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack("ii", r, w))])
else:
    sys.exit("unknown mode")
try:
    data = s.recv(4096)
except socket.timeout:
    data = b""
if len(data) != struct.calcsize(REPLY_FMT):
    print("no-reply")
    sys.exit(0)
magic, version, error, flags, c, m, p, a, msg = struct.unpack(REPLY_FMT, data)
print("error=%d flags=%d masks=%x,%x,%x,%x message=%s" % (error, flags, c, m, p, a, msg.split(b"\0")[0].decode()))
