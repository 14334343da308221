# Starting a Timeout that is already counting down: gevent refuses.
import gevent
from gevent import Timeout

t = Timeout(0.05)
t.start()
try:
    t.start()
    print("started again")
except AssertionError:
    print("start() raised AssertionError")
t.close()
