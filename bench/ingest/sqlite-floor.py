#!/usr/bin/env python3
# The floor of durable SQLite appends on this machine, for the collection benchmark: 300,000 rows in transactions of
# 20,000 (WAL, synchronous=FULL, as the event store), with no secondary index, first the raw message alone, then a
# ~1 KB document. Usage: /usr/bin/python3 bench/ingest/sqlite-floor.py MESSAGES_FILE (from generate-syslog.py)
import sqlite3, time, os, sys
n=300000
msgs=[l.rstrip('\n') for l in open(sys.argv[1])][:n]
while len(msgs)<n: msgs+=msgs[:n-len(msgs)]
for label, doc in [('raw text only (~130 B), no index', lambda m: m), ('~1 KB document, no secondary index', lambda m: (m+' ')*8)]:
    p='/tmp/floor.db'
    for f in (p,p+'-wal',p+'-shm'):
        if os.path.exists(f): os.remove(f)
    c=sqlite3.connect(p, isolation_level=None)
    c.execute('PRAGMA journal_mode=WAL'); c.execute('PRAGMA synchronous=FULL')
    c.execute('CREATE TABLE events (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, establishment_id BLOB NOT NULL, doc TEXT NOT NULL)')
    est=os.urandom(16)
    rows=[(i, est, doc(m)) for i,m in enumerate(msgs)]
    t=time.process_time(); w=time.time()
    for k in range(0,n,20000):
        c.execute('BEGIN'); c.executemany('INSERT INTO events (ts, establishment_id, doc) VALUES (?,?,?)', rows[k:k+20000]); c.execute('COMMIT')
    print(f'{label}: {n/(time.time()-w):,.0f} rows/s wall, {(time.process_time()-t)*1e6/n:.2f} µs CPU per row')
    c.close()
