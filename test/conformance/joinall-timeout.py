# joinall(timeout) returns the tasks that finished and raises nothing.
import gevent

fast = gevent.spawn(gevent.sleep, 0.01)
fast.name = "fast"
slow = gevent.spawn(gevent.sleep, 5)
slow.name = "slow"
finished = gevent.joinall([fast, slow], timeout=0.5)
print("finished:", " ".join(g.name for g in finished))
print("slow ready:", slow.ready())
slow.kill()
