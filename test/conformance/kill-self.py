# A greenlet that kills itself (blocking kill): where does it end?
import gevent
from gevent import getcurrent


def work():
    try:
        print("work kills itself")
        getcurrent().kill()
        print("never printed")
    finally:
        print("work: finally")


g = gevent.spawn(work)
g.join()
print("killed:", isinstance(g.value, gevent.GreenletExit))
