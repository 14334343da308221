# Killing a task that waits in join() ends only the waiter, not the task it waits for.
import gevent


def slow():
    gevent.sleep(0.2)
    return "slow done"


def waiter():
    try:
        s.join()
        print("never printed")
    finally:
        print("waiter: finally")


s = gevent.spawn(slow)
w = gevent.spawn(waiter)
gevent.sleep(0.01)
w.kill()
print("waiter killed:", isinstance(w.value, gevent.GreenletExit), "slow ready:", s.ready())
print("slow:", s.get())
