# Without raise_error, joinall() waits for all and raises nothing.
import gevent


class Boom(Exception):
    pass


def fail():
    raise Boom("boom")


bad = gevent.spawn(fail)
bad.name = "bad"
good = gevent.spawn(lambda: "good")
finished = gevent.joinall([bad, good])
print("finished:", len(finished))
print("bad successful:", bad.successful(), "good:", good.value)
