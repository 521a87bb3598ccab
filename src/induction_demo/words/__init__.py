"""The model and a run in words: claims and their premises (claims), how a
sentence is made (sentences), the story (story), each construction described
(describe) and the verifier (verify). Imports base and core."""
