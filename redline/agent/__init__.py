"""LangGraph graphs of redline's flows and the pieces their nodes use."""
