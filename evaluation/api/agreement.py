"""agreement"""

ROUTES = []
