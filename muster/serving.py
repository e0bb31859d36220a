"""What a server process does once, after loading the application and before its
first request (`muster.wsgi`, `muster.asgi`).

Python's cyclic garbage collector now and then walks every object the process
holds (a full collection). In a worker that is Django, the URL and template
machinery, NumPy and the mandate library: some 200,000 objects that live as long
as the process and are never garbage, walked each time for nothing. Measured on
the person page (issue 9, BENCHMARKS.md): a request that set off such a
collection took about 100 ms more CPU than the others, one request in ten, which
is the page's p95. `gc.freeze()` moves the objects alive at that moment out of
the collector's sight, so a full collection walks only what requests created.
Garbage is still collected as before; only the frozen objects are never looked
at again, which is right for objects meant to live until the process exits.
"""

import gc

from muster import rules


def settle() -> None:
    """Load what every request reads (the mandate library), then freeze the
    objects alive now out of the garbage collector's full collections."""
    rules.load_mandates()
    gc.collect()
    gc.freeze()
