def demo_events_load() -> None:
    """Demo events (filled in by the events app)."""
