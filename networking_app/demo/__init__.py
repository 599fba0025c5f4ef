"""The demo for `make run` (`manage.py seed_demo`): it sits above every app (the top layer of
the import contract) because it fills all of them."""
