"""logic"""

ROUTES = []
