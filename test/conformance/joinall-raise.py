# joinall(raise_error=True) raises the first failure; the other tasks go on.
import gevent


class Boom(Exception):
    pass


def fail():
    gevent.sleep(0.01)
    raise Boom("boom")


bad = gevent.spawn(fail)
bad.name = "bad"
slow = gevent.spawn(gevent.sleep, 1)
try:
    gevent.joinall([bad, slow], raise_error=True)
    print("never printed")
except Boom as e:
    print("joinall raised:", type(e).__name__)
print("slow ready:", slow.ready())
slow.kill()
