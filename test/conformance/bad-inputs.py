# Bad times and arguments: what gevent does with each.
import gevent
from gevent import Timeout
from gevent.pool import Pool


def attempt(what, f):
    try:
        f()
        print(what + ": accepted")
    except BaseException as e:
        print(what + ": raised", type(e).__name__)


task = gevent.spawn(gevent.sleep, 0.01)
attempt("with_timeout(-1)", lambda: gevent.with_timeout(-1, gevent.sleep, 1))  # 1 s: the -1 always fires first
attempt("sleep(-1)", lambda: gevent.sleep(-1))
attempt("Timeout(-1)", lambda: Timeout(-1))
attempt("join(task, -1)", lambda: task.join(timeout=-1))
attempt("Pool(0)", lambda: Pool(0))
attempt("spawn(5)", lambda: gevent.spawn(5))
