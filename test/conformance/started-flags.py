# started: gevent's is true from spawn() until the task is over (bool(greenlet)).
import gevent

g = gevent.spawn(gevent.sleep, 0.01)
print("just spawned:", g.started)
gevent.sleep(0)
print("running:", g.started)
g.join()
print("finished:", g.started)
k = gevent.spawn(gevent.sleep, 0.01)
k.kill()
print("killed before it started:", k.started)
