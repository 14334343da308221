# spawn() only schedules the child: it runs once the spawner yields.
import gevent


def child():
    print("child runs")


gevent.spawn(child)
print("spawned; the child has not run yet")
gevent.sleep(0)
print("after sleep(0)")
