# Sleepers of one length, begun together, wake one at a time: each runs
# until it blocks again before the next one wakes.
import gevent


def nap(name):
    gevent.sleep(0.05)
    print(name, "wakes")


def worker(name):
    nap(name)
    print(name, "goes on")
    gevent.sleep(0)
    print(name, "after sleep(0)")


workers = [gevent.spawn(worker, name) for name in "abcd"]
gevent.sleep(0.01)
workers[1].kill()
print("b killed")
gevent.joinall(workers)
