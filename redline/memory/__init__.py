"""Memory: the SQLite store (source of truth), FAISS caches, embeddings, the user's phrases."""
