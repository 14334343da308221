# A Timeout started in a timer-started function hits that function only, never main.
# (A hub callback may not block in gevent: spawn_later gives it its own greenlet.)
import gevent
from gevent import Timeout


def later():
    t = Timeout(0.05)
    t.start()
    try:
        gevent.sleep(0.2)
        print("never printed")
    except Timeout:
        print("callback: timed out")
    finally:
        t.close()


gevent.spawn_later(0.01, later)
try:
    gevent.sleep(0.3)
    print("main: slept 300 ms untouched")
except Timeout:
    print("main: got the callback's timeout")
