# Pool.spawn waits for a free slot: the spawner goes at the pool's pace.
import gevent
from gevent.pool import Pool

pool = Pool(2)


def job(i, seconds):
    print("job", i, "starts")
    gevent.sleep(seconds)
    print("job", i, "ends")


for i, seconds in enumerate([0.03, 0.2, 0.03, 0.03]):
    pool.spawn(job, i, seconds)
    print("main: spawned", i, "free:", pool.free_count())
pool.join()
print("main: joined; in the pool:", len(pool))
