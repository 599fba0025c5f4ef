"""'People I met': a student adds the people they meet at an event from their phone, online or
offline (static/js/met_capture.js queues entries and syncs them), each entry saved once by the
key the phone gave it. See docs/architecture.md, "Capture at events"."""
