"""Configuration as code: a project's configuration as one document that names things."""
