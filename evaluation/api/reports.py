"""reports"""

ROUTES = []
