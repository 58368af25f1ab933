"""coding"""

ROUTES = []
