"""The one door for every state change: the engine, the shared machine, case locking."""
