# Sleepers wake in the order of their deadlines, not of their spawns.
import gevent


def nap(name, seconds):
    gevent.sleep(seconds)
    print(name, "wakes")


gevent.joinall([gevent.spawn(nap, "c", 0.15), gevent.spawn(nap, "a", 0.01), gevent.spawn(nap, "b", 0.08)])
