# The list joinall() returns: in the order the tasks finished.
import gevent

slow = gevent.spawn(gevent.sleep, 0.1)
slow.name = "slow"
fast = gevent.spawn(gevent.sleep, 0.01)
fast.name = "fast"
print("finished:", " ".join(g.name for g in gevent.joinall([slow, fast])))
