"""Text generation backends: the embedded llama.cpp model and any litellm model."""
