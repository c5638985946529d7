"""信访工作平台 (xinfang_desktop): petition registration and statutory case handling for township petition offices."""

__version__ = "0.1.0"
