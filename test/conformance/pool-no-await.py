# Six spawns into a Pool(2) in a loop: at most two run at once; join() waits for all six.
import gevent
from gevent.pool import Pool

pool = Pool(2)
running = most = done = 0
fewest_free = pool.size
order = []


def job(i):
    global running, most, done, fewest_free
    running += 1
    most = max(most, running)
    fewest_free = min(fewest_free, pool.free_count())
    order.append(str(i))
    gevent.sleep(0.02)
    running -= 1
    done += 1


for i in range(6):
    pool.spawn(job, i)  # blocks while the pool is full
pool.join()
print("started in order:", " ".join(order))
print("most running at once:", most)
print("fewest free slots:", fewest_free)
print("done after join:", done)
