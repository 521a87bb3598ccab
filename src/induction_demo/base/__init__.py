"""The ground floor: every limit and check (inputs), text to tokens
(tokens), how numbers and tokens are written (text), writing files safely
(sink) and the one error type (errors). Imports nothing of the package
above it."""
