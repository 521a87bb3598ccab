"""induction-demo: a two-layer attention-only transformer built by hand.

Layer 1 is a previous-token head, layer 2 an induction head; ``runs.run``
returns a ``Trace`` holding every intermediate, and the renderers format it.

For notebooks and scripts (api.py)::

    import induction_demo as idm
    trace = idm.run("! a b a c b", context=2)   # every construction knob, or model="file.npz"
    trace.to_json(); trace.handout("markdown")  # in Jupyter, the trace shows its HTML handout
    idm.check("heads.npz")                      # a student's model against the lecture's
    idm.train(steps=300)                        # the same model learned
"""
from __future__ import annotations

__all__ = ["run", "check", "train", "handout", "Trace", "Training", "InputError"]


def __getattr__(name: str):
    """The public names, imported when first asked for (the command line starts without them)."""
    if name in ("run", "check", "train", "handout", "Trace", "Training"):
        from . import api

        return getattr(api, name)
    if name == "InputError":
        from .base.errors import InputError

        return InputError
    raise AttributeError(f"module 'induction_demo' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public names too, though imported only when first asked for: what dir() and a notebook's Tab offer."""
    return sorted(set(globals()) | set(__all__))
