"""The read API: current-vintage warehouse tables as Polars frames (the connection is closed before any computation)."""
