# Tasks start in spawn order (FIFO), with their arguments.
import gevent


def hello(name, n):
    print("task", name, n)


tasks = [gevent.spawn(hello, name, i) for i, name in enumerate("abc")]
gevent.joinall(tasks)
print("all joined")
