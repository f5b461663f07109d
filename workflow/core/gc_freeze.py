"""What a long-running process (`opi serve`, `opi worker`) does once it has started."""

import gc


def freeze_startup_objects() -> None:
    """Tell the garbage collector that what exists once a server has started lives forever.

    The modules, schemas, mappers and the process definition are well over a hundred
    thousand objects that every full collection would otherwise walk again, in the middle
    of some request (`gc.freeze`, as the Python documentation advises for servers).
    """
    gc.collect()
    gc.freeze()
