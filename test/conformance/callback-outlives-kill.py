# Code a task sets up to run later is not part of the task: killing the task spares it.
# (A hub callback may not block in gevent: spawn_later gives it its own greenlet.)
import gevent


def later():
    try:
        gevent.sleep(0.2)
        print("callback slept")
    except gevent.GreenletExit:
        print("callback got GreenletExit")


def work():
    gevent.spawn_later(0.01, later)
    gevent.sleep(1)


g = gevent.spawn(work)
gevent.sleep(0.1)
g.kill()
print("worker killed:", isinstance(g.value, gevent.GreenletExit))
gevent.sleep(0.3)
