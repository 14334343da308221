# Pool.join(timeout) gives up quietly; kill() empties the pool.
import gevent
from gevent.pool import Pool

pool = Pool(2)
pool.spawn(gevent.sleep, 0.01)
pool.spawn(gevent.sleep, 1)
pool.join(timeout=0.15)
print("still in the pool after join(timeout):", len(pool))
pool.kill()
print("after kill:", len(pool))
