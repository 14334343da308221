# A kill whose finally block raises: the task fails with that error, reported.
import gevent


class Boom(Exception):
    pass


def work():
    try:
        gevent.sleep(1)
    finally:
        raise Boom("in finally")


g = gevent.spawn(work)
g.name = "work"
gevent.sleep(0.01)
g.kill()
print("killed:", isinstance(g.value, gevent.GreenletExit), "successful:", g.successful())
print("exception:", type(g.exception).__name__)
