# A timeout exactly as long as the work: the work finishes.
import gevent


def work():
    gevent.sleep(0.05)
    return "work finished"


print(gevent.with_timeout(0.05, work, timeout_value="timed out"))
