import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "networking_app.settings.dev")

# Requests a worker serves before what it has loaded so far is set aside from the collector.
WARM_AFTER = 100


class FrozenWhenWarm:
    """The WSGI application, with the garbage collector told to leave alone what a worker
    keeps for its whole life: the modules, then, once it has served WARM_AFTER requests, the
    compiled templates, URL patterns and translations its first requests loaded (some 190,000
    objects). Otherwise each full collection scans them all again, a pause of some 90 ms on a
    2-core machine in whichever request it falls on (bench/RESULTS.md, the mixed run). The
    freeze is gc.freeze(), after one last collection so that no garbage is frozen with them."""

    def __init__(self, app):
        self.app = app
        self.served = 0
        self.warm = False
        gc.freeze()

    def __call__(self, environ, start_response):
        try:
            return self.app(environ, start_response)
        finally:
            self.served += 1
            if not self.warm and self.served >= WARM_AFTER:
                self.warm = True
                gc.collect()
                gc.freeze()


application = FrozenWhenWarm(get_wsgi_application())
