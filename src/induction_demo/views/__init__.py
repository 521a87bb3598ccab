"""Format-neutral views (views), the tables (tables), the documents
(documents, data, report), one trace in a format (output) and the renderers
(render/). Imports base, core and words; a renderer formats, never computes."""
