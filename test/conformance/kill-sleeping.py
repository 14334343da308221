# kill() ends a sleeping task at its switch point; its finally runs; kill waits.
import gevent


def work():
    try:
        print("work sleeps")
        gevent.sleep(1)
        print("never printed")
    finally:
        print("work: finally")


g = gevent.spawn(work)
gevent.sleep(0.01)
print("main kills")
g.kill()
print("kill returned; killed:", isinstance(g.value, gevent.GreenletExit), "exception:", g.exception)
