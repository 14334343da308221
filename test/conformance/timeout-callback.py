# A timeout inside a timer-started function hits that function only, never main.
# (A hub callback may not block in gevent: spawn_later gives it its own greenlet.)
import gevent
from gevent import Timeout


def later():
    try:
        gevent.with_timeout(0.05, gevent.sleep, 0.2)
        print("never printed")
    except Timeout:
        print("callback: timed out")


gevent.spawn_later(0.01, later)
gevent.sleep(0.3)
print("main: slept 300 ms untouched")
