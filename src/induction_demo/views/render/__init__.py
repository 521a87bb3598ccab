"""Renderers: each lays out a view (``views``: documents of tables and
paragraphs, the JSON data document, the heatmaps) in one format. None reads
a trace or computes a number; ``output`` picks the view and the renderer.
"""
