"""Email that logs itself: each student's private capture address, and the messages they BCC
or forward to it logged on their contacts and conversations (docs/architecture.md, "Email
capture"; running the receivers: docs/operations.md, "Email capture")."""
