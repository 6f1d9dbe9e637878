"""redline's terminal UI: chat, write, preferences and prompts screens (Textual)."""
