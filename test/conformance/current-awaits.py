# getcurrent() follows a task through every switch, in nested calls too.
import gevent
from gevent import getcurrent


def step(label, seconds):
    gevent.sleep(seconds)
    print(label, getcurrent().name)


def work(seconds):
    print("start:", getcurrent().name)
    step("in a nested call after a sleep:", seconds)
    gevent.sleep(0)
    print("after sleep(0):", getcurrent().name)


a = gevent.spawn(work, 0.01)
a.name = "alpha"
b = gevent.spawn(work, 0.1)
b.name = "beta"
gevent.joinall([a, b])
