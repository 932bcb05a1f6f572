"""The static export: every representation as files, plus an nginx config that negotiates like the app."""
