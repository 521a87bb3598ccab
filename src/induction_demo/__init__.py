"""induction-demo: a two-layer attention-only transformer built by hand.

Layer 1 is a previous-token head, layer 2 an induction head; ``model.run``
returns a ``Trace`` holding every intermediate, and the renderers format it.
"""
