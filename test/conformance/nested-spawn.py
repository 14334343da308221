# A task spawned by a task queues behind the tasks already waiting to start.
import gevent


def inner():
    print("inner runs")


def outer():
    print("outer starts")
    gevent.spawn(inner)
    print("outer spawned inner")
    gevent.sleep(0)
    print("outer resumes")


def other():
    print("other runs")


gevent.joinall([gevent.spawn(outer), gevent.spawn(other)])
gevent.sleep(0.01)
print("main done")
