"""The site shell: menu and badges in every page's context, home, error pages, favicon, health check.

The top layer: it may import any app; no app imports it (they reach it through URL names only)."""
