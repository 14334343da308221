# get() waits and returns the value; value holds it too.
import gevent


def add(a, b):
    gevent.sleep(0.01)
    return a + b


g = gevent.spawn(add, 2, 3)
print("ready before:", g.ready())
print("get:", g.get())
print("value:", g.value, "successful:", g.successful(), "exception:", g.exception)
