# A task that kills itself without waiting ends at its next switch point.
import gevent
from gevent import getcurrent


def work():
    getcurrent().kill(block=False)
    print("kill asked; still running")
    try:
        gevent.sleep(0.01)
        print("never printed")
    finally:
        print("work: finally")


g = gevent.spawn(work)
g.join()
print("killed:", isinstance(g.value, gevent.GreenletExit))
gevent.sleep(0.01)
print("main goes on")
