# A task in a wait that does not switch cannot be killed there: it finishes normally.
import time  # not patched: time.sleep blocks without switching
import gevent


def work():
    print("work: wait starts")
    time.sleep(0.03)
    print("work: wait over")
    return "done"


g = gevent.spawn(work)
gevent.sleep(0.01)
print("main: kill")
g.kill()
print("value:", g.value, "killed:", isinstance(g.value, gevent.GreenletExit))
