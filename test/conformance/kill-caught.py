# A task may catch its kill and return a value: then it was not killed.
import gevent


def work():
    try:
        gevent.sleep(1)
    except gevent.GreenletExit:
        print("work caught the kill")
        return "survived"


g = gevent.spawn(work)
gevent.sleep(0.01)
g.kill()
print("value:", g.value, "killed:", isinstance(g.value, gevent.GreenletExit), "successful:", g.successful())
