# join(timeout) gives up quietly; the task goes on.
import gevent

slow = gevent.spawn(gevent.sleep, 0.1)
print("join returned:", slow.join(timeout=0.02))
print("ready:", slow.ready())
slow.join()
print("ready:", slow.ready())
