"""The language server: inline completion, completion, code actions, learning from kept text.

``redline lsp`` starts it; :func:`redline.lsp.server.build_server` wires one
small handler module per feature. Nothing here imports a model library:
models load in the background after ``initialize`` has been answered.
"""
