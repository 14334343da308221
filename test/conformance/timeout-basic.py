# A Timeout interrupts the task that started it, at its switch point.
import time
import gevent
from gevent import Timeout

start = time.monotonic()
t = Timeout(0.02)
t.start()
try:
    gevent.sleep(2)
    print("never printed")
except Timeout as e:
    print("caught its own timeout:", e is t)
finally:
    t.close()
print("well before the sleep's end:", time.monotonic() - start < 1)
