# killall() on tasks in every state: not started, sleeping, finished.
import gevent


def sleeper():
    try:
        gevent.sleep(1)
    finally:
        print("sleeper: finally")


done = gevent.spawn(lambda: "done")
asleep = gevent.spawn(sleeper)
gevent.sleep(0.01)
fresh = gevent.spawn(print, "never printed")
gevent.killall([done, asleep, fresh])
for name, g in [("done", done), ("asleep", asleep), ("fresh", fresh)]:
    print(name, "ready:", g.ready(), "killed:", isinstance(g.value, gevent.GreenletExit))
