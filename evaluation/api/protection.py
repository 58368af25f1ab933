"""protection"""

ROUTES = []
