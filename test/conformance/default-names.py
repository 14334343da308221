# Default names: gevent counts Greenlet-0, 1, ...; its main greenlet has no name.
import gevent
from gevent import getcurrent


def me():
    print("I am", getcurrent().name)


gevent.joinall([gevent.spawn(me), gevent.spawn(me)])
print("main is", getattr(getcurrent(), "name", "<no name>"))
