# Two tasks join each other and main joins one: nothing can ever run again.
import gevent

a = gevent.spawn(lambda: b.join())
b = gevent.spawn(lambda: a.join())
a.join()  # raises LoopExit
print("never printed")
