# A finally block may switch while the task is being killed; kill() waits for it.
import gevent


def work():
    try:
        gevent.sleep(1)
    finally:
        print("work: cleaning up")
        gevent.sleep(0.02)
        print("work: clean")


g = gevent.spawn(work)
gevent.sleep(0.01)
g.kill()
print("kill returned; killed:", isinstance(g.value, gevent.GreenletExit))
