"""The model: named directions (basis), heads as rule-built blocks (blocks,
schemes, weights), the residual stream (stream), token vectors (similar),
the forward pass (model) and its frozen records (trace), where each head does
its job (mechanism), the read-out (readout), the textbook form (factored),
the circuits (circuits) and model files (modelfile). Imports only base."""
