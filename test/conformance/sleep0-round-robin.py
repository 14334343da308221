# sleep(0) lets every other ready task run once: round robin.
import gevent


def loop(name):
    for i in range(3):
        print(name + str(i))
        gevent.sleep(0)


gevent.joinall([gevent.spawn(loop, "a"), gevent.spawn(loop, "b")])
