"""信访 Desktop: petition registration and statutory case handling for township petition offices."""

__version__ = "0.1.0"
