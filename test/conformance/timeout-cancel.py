# A cancelled Timeout never fires.
import gevent
from gevent import Timeout

t = Timeout(0.1)
t.start()
gevent.sleep(0.01)
t.cancel()
gevent.sleep(0.15)
print("no timeout after cancel")
