# A failing task is reported on stderr at once; join() does not raise, get() does.
import gevent


class Boom(Exception):
    pass


def fail():
    raise Boom("boom")


def fine():
    gevent.sleep(0.01)
    return "fine"


bad = gevent.spawn(fail)
bad.name = "bad"
ok = gevent.spawn(fine)
ok.name = "ok"
bad.join()
print("join returned; ready:", bad.ready(), "successful:", bad.successful())
print("exception:", type(bad.exception).__name__)
try:
    bad.get()
except Boom as e:
    print("get raised:", type(e).__name__, e)
print("the other task:", ok.get())
