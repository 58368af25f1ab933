"""sessions"""

ROUTES = []
