# Two kills: the first one ends the task, the second is a no-op; finally runs once.
import gevent


def work():
    try:
        gevent.sleep(1)
    finally:
        print("work: finally")


g = gevent.spawn(work)
gevent.sleep(0.01)
g.kill(block=False)
g.kill()
print("killed:", isinstance(g.value, gevent.GreenletExit))
g.kill()
print("a kill after the end changes nothing; ready:", g.ready())
