# Killing a task that already returned changes nothing.
import gevent

g = gevent.spawn(lambda: "value")
g.join()
g.kill()
print("value:", g.value, "killed:", isinstance(g.value, gevent.GreenletExit), "successful:", g.successful())
