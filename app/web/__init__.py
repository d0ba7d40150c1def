"""HTTP glue: dependencies, authentication, templates, rendering, error pages, middleware."""
