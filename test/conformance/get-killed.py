# get() on a killed task: gevent returns the GreenletExit.
import gevent

g = gevent.spawn(gevent.sleep, 1)
gevent.sleep(0.01)
g.kill()
try:
    print("get returned:", type(g.get()).__name__)
except BaseException as e:
    print("get raised:", type(e).__name__)
