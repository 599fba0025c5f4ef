"""Local development (`make run`): embedded defaults, nothing to install."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", True)
