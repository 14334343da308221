# A Timeout that expires during a wait that does not switch is delivered at the next switch.
import time  # not patched: time.sleep blocks without switching
import gevent
from gevent import Timeout


def victim():
    gevent.sleep(1)


def worker():
    t = Timeout(0.01)
    t.start()
    try:
        time.sleep(0.03)
        b.kill(block=False)
        gevent.sleep(0.1)
        return "no timeout"
    except Timeout as e:
        return "caught its own timeout: %s" % (e is t)
    finally:
        t.close()


b = gevent.spawn(victim)
a = gevent.spawn(worker)
gevent.joinall([a, b])
print("a:", a.value)
print("b killed:", isinstance(b.value, gevent.GreenletExit))
