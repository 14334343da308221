# When main's code ends, the program ends: gevent drops the tasks still running.
import gevent


def late():
    gevent.sleep(0.05)
    print("the task finished")


gevent.spawn(late)
gevent.sleep(0)
print("main ends")
