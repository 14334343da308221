# Nested Timeouts: each handler checks which one fired.
import gevent
from gevent import Timeout


def nested(outer_s, inner_s):
    outer = Timeout(outer_s)
    outer.start()
    try:
        inner = Timeout(inner_s)
        inner.start()
        try:
            gevent.sleep(1)
        except Timeout as e:
            if e is not inner:
                raise
            print("inner fired, caught inside")
        finally:
            inner.close()
        gevent.sleep(0.01)
        print("outer did not fire")
    except Timeout as e:
        print("outer fired, caught outside:", e is outer)
    finally:
        outer.close()


nested(0.2, 0.02)
nested(0.02, 0.2)
