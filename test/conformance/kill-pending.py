# Killing a task before it starts: it never runs; a kill is not a failure.
import gevent


def work():
    print("never printed")


g = gevent.spawn(work)
g.kill()
print("ready:", g.ready(), "killed:", isinstance(g.value, gevent.GreenletExit), "successful:", g.successful())
gevent.sleep(0.01)
print("main goes on")
