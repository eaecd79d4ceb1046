//! The minijinja environment, template context and helper filters.
