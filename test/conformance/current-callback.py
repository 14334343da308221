# A timer callback runs in the hub, not in the greenlet that set it up.
import gevent
from gevent import getcurrent

hub = gevent.get_hub()


def callback():
    print("callback runs in:", "the hub" if getcurrent() is hub else getcurrent().name)


def work():
    hub.loop.timer(0.01).start(callback)
    gevent.sleep(0.03)
    print("work is still:", getcurrent().name)


g = gevent.spawn(work)
g.name = "worker"
g.join()
