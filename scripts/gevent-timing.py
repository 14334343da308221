"""The timing demo on gevent, for `npm run bench`: two greenlets, one sleeping
3 s ("eat") and one 1 s ("play"), spawned together and joined. Sleeping
greenlets overlap, so a run takes about 3 s, not 4. Measured inside the
process (start-up excluded), like scripts/bench-timing.ts does for Node.

Run:   /usr/bin/python3 scripts/gevent-timing.py [--runs N] [--scale X]
Look:  one JSON line: {"gevent": [total ms of each run, ...], "longestMs": 3000}
Needs: gevent (Debian: apt-get install -y python3-gevent).
"""
import argparse
import json
import sys
import time

try:
    import gevent
except ImportError:
    sys.exit("gevent-timing: cannot import gevent: apt-get install -y python3-gevent")

parser = argparse.ArgumentParser(description="The eat (3 s) / play (1 s) demo on gevent; prints JSON.")
parser.add_argument("--runs", type=int, default=5, help="runs (default: 5)")
parser.add_argument("--scale", type=float, default=1.0, help="multiply the 3 s and 1 s waits (default: 1)")
args = parser.parse_args()
if args.runs < 1 or args.scale <= 0:
    parser.error(f"expected --runs >= 1 and --scale > 0, got {args.runs} and {args.scale}")

EAT = 3.0 * args.scale
PLAY = 1.0 * args.scale
log = []  # the lines go into a list: the terminal's speed is not measured


def eat():
    log.append("eat 1")
    gevent.sleep(EAT)
    log.append("eat 2")


def play():
    log.append("play 1")
    gevent.sleep(PLAY)
    log.append("play 2")


totals = []
for _ in range(args.runs):
    start = time.perf_counter()
    g1 = gevent.spawn(eat)
    g2 = gevent.spawn(play)
    g1.join()
    g2.join()
    totals.append((time.perf_counter() - start) * 1000)
print(json.dumps({"gevent": totals, "longestMs": EAT * 1000}))
