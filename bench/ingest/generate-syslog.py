#!/usr/bin/env python3
"""Writes N syslog messages, one per line, the mix a health establishment sends: sshd sign-ins, sudo, CEF
firewall records, RFC 5424 EHR application messages, cron. Deterministic (seeded) so runs compare."""
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
out = sys.argv[2] if len(sys.argv) > 2 else "-"
rnd = random.Random(20261122)
users = ["alice", "bob", "root", "admin", "oracle", "dr.alaoui", "backup", "nurse12", "postgres", "test"]
months = ["Nov"]
w = sys.stdout if out == "-" else open(out, "w", encoding="utf-8")
for i in range(n):
    host = f"srv-{rnd.randrange(200):03d}"
    sec = i % 86400
    t = f"{sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}"
    ip = f"{rnd.choice([10, 172, 192, 203])}.{rnd.randrange(256)}.{rnd.randrange(256)}.{rnd.randrange(1, 255)}"
    k = rnd.randrange(10)
    if k < 3:
        u = rnd.choice(users)
        w.write(f"<38>Nov 22 {t} {host} sshd[{rnd.randrange(1000, 65000)}]: Failed password for {'invalid user ' if k == 0 else ''}{u} from {ip} port {rnd.randrange(1024, 65535)} ssh2\n")
    elif k == 3:
        w.write(f"<38>Nov 22 {t} {host} sshd[{rnd.randrange(1000, 65000)}]: Accepted publickey for {rnd.choice(users)} from {ip} port {rnd.randrange(1024, 65535)} ssh2\n")
    elif k == 4:
        w.write(f"<85>Nov 22 {t} {host} sudo: {rnd.choice(users)} : TTY=pts/{rnd.randrange(9)} ; PWD=/home ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx\n")
    elif k < 8:
        act = rnd.choice(["accept", "accept", "accept", "deny"])
        w.write(f"<134>Nov 22 {t} fw-{rnd.randrange(8):02d} CEF:0|Fortinet|FortiGate|7.2.5|0000000013|traffic forward {act}|3|src={ip} spt={rnd.randrange(1024, 65535)} dst=198.51.100.{rnd.randrange(1, 255)} dpt={rnd.choice([53, 80, 443, 445, 3389, 22])} proto=TCP act={act} suser={rnd.choice(users)}\n")
    elif k == 8:
        w.write(f"<165>1 2026-11-22T{t}.{rnd.randrange(1000):03d}Z ehr-{rnd.randrange(20):02d} dpi {rnd.randrange(100, 9999)} AUDIT [meta@32473 user=\"{rnd.choice(users)}\" ward=\"{rnd.randrange(40)}\"] patient record opened\n")
    else:
        w.write(f"<78>Nov 22 {t} {host} CRON[{rnd.randrange(1000, 65000)}]: (root) CMD (/usr/lib/sysstat/debian-sa1 1 1)\n")
if w is not sys.stdout:
    w.close()
